/*
 * router.h — matching a request against the route table (api_routes[] in
 * router.c), path parameters, percent-decoding.
 * Return convention: 0 or a negative errno-style code, err filled.
 */
#ifndef PALAUTE_API_ROUTER_H
#define PALAUTE_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "api/error.h"

struct api_req;

/*
 * Find the route of req's method and path; set rq_route and rq_params.
 * 404 when no pattern matches the path, 405 when one does but not for
 * this method, 400 when the path is not validly encoded.
 */
int	router_match(struct api_req *req, struct api_err *err);

/* The methods allowed on path, as an Allow header value ("GET, POST"). */
void	router_allow(const char *path, char *buf, size_t len);

/* Percent-decode s[0..len) into a new string; '+' is ' ' if plus_space.
 * -EINVAL on a bad escape or an encoded NUL. */
int	router_decode(const char *s, size_t len, bool plus_space, char **out);

#endif /* PALAUTE_API_ROUTER_H */
