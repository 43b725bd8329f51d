/*
 * pages.h - the web UI's pages, independent of the HTTP library.
 *
 * server.c decodes a request (path and query arguments, already
 * percent-decoded) and hands it to web_handle, which routes it, runs the
 * report through dispatch_run and fills a response.  A site owns a cache
 * of recent responses; it is not thread-safe (the server calls it from
 * one thread).
 */
#ifndef CPROF_WEB_PAGES_H
#define CPROF_WEB_PAGES_H

#include "model/compat.h"
#include "model/profile.h"
#include "report/options.h"

struct web_site;

struct web_arg {
	const char *key, *value; /* value is "" for a bare key */
};

struct web_response {
	int status;
	const char *type;	 /* Content-Type */
	const char *csp;	 /* Content-Security-Policy */
	char *location;		 /* Location of a redirect, or NULL; owned */
	const char *disposition; /* Content-Disposition, or NULL */
	char *body;		 /* owned; released by web_response_release */
	size_t len;
};

/* p and o are borrowed for the site's lifetime; title is copied. */
struct web_site *web_site_new(const struct cp_profile *p, const struct cp_options *o,
			      const char *title);
void web_site_free(struct web_site *s);

void web_handle(struct web_site *s, const char *path, const struct web_arg *args, size_t nargs,
		struct web_response *rs);
void web_response_release(struct web_response *rs);

/* The policy of every HTML page: scripts and styles only from the server itself. */
extern const char web_csp_page[];

#endif
