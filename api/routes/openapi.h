/*
 * openapi.h — GET /api/v1/openapi.json: the OpenAPI 3 description built
 * from the route table itself (http_routes[], routes.c), plus the static
 * parts kept in openapi.c (info, security scheme, error schema). A route
 * added to the table is described at once; nothing else can drift.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_OPENAPI_H
#define PALAUTE_ROUTES_OPENAPI_H

#include <stddef.h>

#include <jansson.h>

/*
 * The OpenAPI path of a route pattern: each "{}" segment becomes a named
 * parameter ("{id}", "{slug}" after "forms" or "f"; a number is appended
 * when a name repeats), a final "*" becomes "{path}". -ENAMETOOLONG.
 */
int	 http_openapi_path(const char *pattern, char *buf, size_t len);

/* The whole document, a new reference; NULL when out of memory. */
json_t	*http_openapi_build(void);

#endif /* PALAUTE_ROUTES_OPENAPI_H */
