/*
 * router.h — matching a request against a route table (the daemon's is
 * api/routes/routes.c), path parameters, percent-decoding.
 * Return convention: 0 or a negative errno-style code, err filled.
 */
#ifndef PALAUTE_API_ROUTER_H
#define PALAUTE_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct api_req;
struct api_route;

/*
 * Find the route of req's method and path; set rq_route and rq_params.
 * 404 when no pattern matches the path, 405 when one does but not for
 * this method, 400 when the path is not validly encoded.
 */
int	router_match(const struct api_route *routes, size_t nroutes,
	    struct api_req *req, struct error *err);

/* The methods allowed on path, as an Allow header value ("GET, POST"). */
void	router_allow(const struct api_route *routes, size_t nroutes,
	    const char *path, char *buf, size_t len);

/*
 * Percent-decode s[0..len); '+' is ' ' if plus_space. -EINVAL on a bad
 * escape or an encoded NUL. router_decode() into a new string (*out,
 * caller frees), router_decode_into() into buf (NUL-terminated), -ERANGE
 * when it does not fit.
 */
int	router_decode(const char *s, size_t len, bool plus_space, char **out);
int	router_decode_into(const char *s, size_t len, bool plus_space,
	    char *buf, size_t buflen);

/* One name=value piece of a raw query string, still percent-encoded. */
struct router_qparam {
	const char	*qp_name;
	size_t		 qp_nlen;
	const char	*qp_value;	/* NULL when the piece has no '=' */
	size_t		 qp_vlen;
};

/*
 * The next non-empty piece of the raw query string at *cursor (NULL or ""
 * for none) into *qp, advancing *cursor; false when none is left.
 */
bool	router_query_next(const char **cursor, struct router_qparam *qp);

#endif /* PALAUTE_API_ROUTER_H */
