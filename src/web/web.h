/*
 * web.h - the web UI front end: `cprof -http=[host]:[port] profile`.
 *
 * Serves the reports of the one command table (report/dispatch.h) over
 * HTTP: each request copies the base options, applies pprof's URL
 * parameters and runs one report.  The profile is borrowed and must outlive
 * web_serve, which returns when SIGINT or SIGTERM arrives.
 */
#ifndef CPROF_WEB_WEB_H
#define CPROF_WEB_WEB_H

#include "model/compat.h"
#include "model/err.h"
#include "model/profile.h"
#include "report/options.h"

struct web_config {
	const char *addr;  /* "[host]:[port]"; empty host = localhost, empty port = any */
	bool open_browser; /* run $BROWSER or xdg-open on the URL */
	const char *title; /* the profile's name, shown in every page */
};

/*
 * Serve until SIGINT or SIGTERM; prints "Serving web UI on URL" on stdout
 * once listening.  Returns 0 after a clean shutdown, -1 with err set when
 * the server cannot start.
 */
int web_serve(const struct cp_profile *p, const struct cp_options *o, const struct web_config *cfg,
	      struct cp_err *err);

#endif
