/*
 * router.c — matching a path against a route table.
 * A pattern is a path whose segments are literal or "{}" (one segment,
 * captured and decoded) or a final "*" (the rest, captured undecoded).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/router.h"


static int
router_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
router_decode_into(const char *s, size_t len, bool plus_space, char *buf,
    size_t buflen)
{
	size_t	i, j = 0;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (j + 1 >= buflen)
			return -ERANGE;
		if (s[i] == '%') {
			if (i + 2 >= len)
				return -EINVAL;
			hi = router_hexval((unsigned char)s[i + 1]);
			lo = router_hexval((unsigned char)s[i + 2]);
			/* A bad escape, or a NUL smuggled into C. */
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EINVAL;
			buf[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus_space && s[i] == '+')
			buf[j++] = ' ';
		else
			buf[j++] = s[i];
	}
	buf[j] = '\0';
	return 0;
}

int
router_decode(const char *s, size_t len, bool plus_space, char **out)
{
	char	*d;
	int	 rc;

	/* Decoding never lengthens. */
	if ((d = malloc(len + 1)) == NULL)
		return -ENOMEM;
	if ((rc = router_decode_into(s, len, plus_space, d, len + 1)) != 0) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

bool
router_query_next(const char **cursor, struct router_qparam *qp)
{
	const char	*p = *cursor != NULL ? *cursor : "", *amp, *eq;

	/* "a=1&&b=2": empty pieces are passed over. */
	while (*p == '&')
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	amp = p + strcspn(p, "&");
	eq = memchr(p, '=', (size_t)(amp - p));
	qp->qp_name = p;
	qp->qp_nlen = (size_t)((eq != NULL ? eq : amp) - p);
	qp->qp_value = eq != NULL ? eq + 1 : NULL;
	qp->qp_vlen = eq != NULL ? (size_t)(amp - eq - 1) : 0;
	*cursor = *amp != '\0' ? amp + 1 : amp;
	return true;
}

/*
 * Match path against pattern. With params != NULL, captures are decoded
 * into it. Returns 1 on a match, 0 on none, <0 on a bad encoding.
 */
static int
router_try(const char *pattern, const char *path, char **params,
    size_t *nparams)
{
	const char	*p = pattern, *s = path;
	size_t		 n = 0, seg;
	int		 rc;

	for (;;) {
		if (*p == '\0' || *s == '\0')
			break;
		if (p[0] == '*' && p[1] == '\0') {
			/* The rest of the path, left encoded: a file name. */
			if (params != NULL) {
				if ((params[n] = strdup(s)) == NULL)
					return -ENOMEM;
				*nparams = ++n;
			}
			return 1;
		}
		if (p[0] == '{' && p[1] == '}') {
			seg = strcspn(s, "/");
			if (seg == 0 || n == API_MAX_PARAMS)
				return 0;
			if (params != NULL) {
				rc = router_decode(s, seg, false, &params[n]);
				if (rc != 0)
					return rc;
				*nparams = n + 1;
			}
			n++;
			p += 2;
			s += seg;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (p[0] == '*' && p[1] == '\0' && *s == '\0') {
		if (params != NULL) {
			if ((params[n] = strdup("")) == NULL)
				return -ENOMEM;
			*nparams = n + 1;
		}
		return 1;
	}
	return *p == '\0' && *s == '\0';
}

int
router_match(const struct api_route *routes, size_t nroutes,
    struct api_req *req, struct error *err)
{
	const struct api_route	*rt;
	size_t			 i;
	int			 rc;

	/*
	 * The method first: it is one comparison, and it leaves a
	 * submission a few POST patterns to try instead of every route.
	 */
	for (i = 0; i < nroutes; i++) {
		rt = &routes[i];
		if (rt->rt_method != req->rq_method &&
		    !(rt->rt_method == API_GET && req->rq_method == API_HEAD))
			continue;
		if (router_try(rt->rt_pattern, req->rq_path, NULL, NULL) <= 0)
			continue;
		rc = router_try(rt->rt_pattern, req->rq_path, req->rq_params,
		    &req->rq_nparams);
		if (rc < 0)
			return error_set(err, ERR_BAD_REQUEST, NULL,
			    "the path is not validly encoded");
		req->rq_route = rt;
		return 0;
	}
	/* No route of this method: 405 when another method has the path. */
	for (i = 0; i < nroutes; i++)
		if (router_try(routes[i].rt_pattern, req->rq_path, NULL,
		    NULL) > 0)
			return error_set(err, ERR_METHOD_NOT_ALLOWED, NULL,
			    "%s is not allowed here",
			    api_method_name(req->rq_method));
	return error_set(err, ERR_NOT_FOUND, NULL, "no such resource");
}

void
router_allow(const struct api_route *routes, size_t nroutes,
    const char *path, char *buf, size_t len)
{
	size_t	i, off = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < nroutes; i++) {
		if (router_try(routes[i].rt_pattern, path, NULL, NULL) <= 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
		    api_method_name(routes[i].rt_method));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}
