/*
 * server.c - the web UI's HTTP server: libmicrohttpd, the only file that
 * includes it.
 *
 * One internal polling thread answers requests one at a time (reports are
 * rendered sequentially, so pages.c needs no locks); the calling thread
 * waits for SIGINT or SIGTERM and then stops the daemon.  Before a request
 * reaches pages.c it passes the checks that keep a local server local:
 * only GET and HEAD, bounded URLs, and, when bound to a loopback address,
 * a loopback client and a Host header naming this server (a page on
 * another site cannot reach it through DNS rebinding).
 */
#include "model/compat.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "web/pages.h"
#include "web/web.h"

#define MAX_PATH_LEN  1024
#define MAX_QUERY_LEN 8192 /* decoded keys and values together */
#define MAX_ARGS      64

struct server {
	struct web_site *site;
	pthread_mutex_t lock; /* one request (or warm-up step) in the site at a time */
	atomic_bool stopping; /* set at shutdown: the warm-up stops early */
	char host[256];	      /* as given (brackets removed), "localhost" when empty */
	unsigned port;
	bool loopback; /* bound to a loopback address: local clients only */
};

struct arg_list {
	struct web_arg a[MAX_ARGS];
	size_t n, bytes;
	bool overflow;
};

static bool ipv4_loopback(const struct in_addr *a)
{
	return (ntohl(a->s_addr) >> 24) == 127;
}

static bool addr_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ipv4_loopback(&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			struct in_addr v4;

			memcpy(&v4, a->s6_addr + 12, 4);
			return ipv4_loopback(&v4);
		}
	}
	return false;
}

/* A host name that always means this machine: localhost or a loopback literal. */
static bool name_is_loopback(const char *h, size_t len)
{
	char tmp[64];
	struct in_addr a4;
	struct in6_addr a6;

	if (len >= sizeof(tmp))
		return false;
	memcpy(tmp, h, len);
	tmp[len] = '\0';
	if (!strcasecmp(tmp, "localhost"))
		return true;
	if (inet_pton(AF_INET, tmp, &a4) == 1)
		return ipv4_loopback(&a4);
	return inet_pton(AF_INET6, tmp, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/*
 * The Host header must name this server: localhost, a loopback address or
 * the host given to -http, with our port or none.
 */
static bool host_ok(const struct server *sv, const char *hdr)
{
	const char *h = hdr, *port = NULL, *end;
	size_t len;

	if (!hdr || !*hdr)
		return false;
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end)
			return false;
		h++;
		len = (size_t)(end - h);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return false;
	} else {
		end = strchr(h, ':');
		len = end ? (size_t)(end - h) : strlen(h);
		if (end)
			port = end + 1;
	}
	if (port) {
		char *e;
		unsigned long v;

		errno = 0;
		v = strtoul(port, &e, 10);
		if (!*port || *e || errno || v != sv->port)
			return false;
	}
	if (name_is_loopback(h, len))
		return true;
	return len == strlen(sv->host) && !strncasecmp(h, sv->host, len);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct arg_list *l = cls;

	if (!value)
		value = "";
	l->bytes += strlen(key) + strlen(value) + 2;
	if (l->n == MAX_ARGS || l->bytes > MAX_QUERY_LEN) {
		l->overflow = true;
		return MHD_NO;
	}
	l->a[l->n].key = key;
	l->a[l->n].value = value;
	l->n++;
	return MHD_YES;
}

/* The request's URI as sent (before percent-decoding) becomes its *con_cls. */
static void *keep_raw_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	return xstrdup(uri);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	free(*con_cls);
	*con_cls = NULL;
}

/* A NUL in the path would cut the decoded path short: such a path names nothing. */
static bool raw_path_has_nul(const char *raw)
{
	size_t n = strcspn(raw, "?");

	for (size_t i = 0; i + 2 < n; i++)
		if (raw[i] == '%' && raw[i + 1] == '0' && raw[i + 2] == '0')
			return true;
	return false;
}

static void add_common_headers(struct MHD_Response *r, const char *csp)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "SAMEORIGIN");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* A short plain-text answer (errors found before routing). */
static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	add_common_headers(r, "default-src 'none'");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct server *sv = cls;
	const char *raw = *con_cls;
	struct arg_list args;
	struct web_response rs;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (sv->loopback) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		if (!ci || !ci->client_addr || !addr_loopback(ci->client_addr))
			return answer_text(c, MHD_HTTP_FORBIDDEN, "permission denied\n");
		if (!host_ok(sv, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
			return answer_text(c, MHD_HTTP_FORBIDDEN,
					   "permission denied: Host header does not name this "
					   "server\n");
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strlen(url) > MAX_PATH_LEN || (raw && strlen(raw) > MAX_PATH_LEN + MAX_QUERY_LEN))
		return answer_text(c, MHD_HTTP_URI_TOO_LONG, "URL too long\n");
	if (raw && raw_path_has_nul(raw))
		return answer_text(c, MHD_HTTP_NOT_FOUND, "404 page not found\n");
	memset(&args, 0, sizeof(args));
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
	if (args.overflow)
		return answer_text(c, MHD_HTTP_URI_TOO_LONG, "query too long\n");

	memset(&rs, 0, sizeof(rs));
	pthread_mutex_lock(&sv->lock);
	web_handle(sv->site, url, args.a, args.n, &rs);
	pthread_mutex_unlock(&sv->lock);
	r = MHD_create_response_from_buffer(rs.len, rs.body, MHD_RESPMEM_MUST_COPY);
	if (!r) {
		web_response_release(&rs);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", rs.type);
	add_common_headers(r, rs.csp ? rs.csp : web_csp_page);
	if (rs.location)
		MHD_add_response_header(r, "Location", rs.location);
	if (rs.disposition)
		MHD_add_response_header(r, "Content-Disposition", rs.disposition);
	ret = MHD_queue_response(c, (unsigned)rs.status, r);
	MHD_destroy_response(r);
	web_response_release(&rs);
	return ret;
}

/*
 * Render the views a browser opens first while it starts, so they answer
 * from the cache: the flame graph (the default), Top and the graph.
 */
static void *warm_up(void *arg)
{
	static const char *const paths[] = { "/ui/", "/ui/top", "/ui/graph" };
	struct server *sv = arg;

	for (size_t i = 0; i < ARRAY_SIZE(paths) && !atomic_load(&sv->stopping); i++) {
		struct web_response rs;

		pthread_mutex_lock(&sv->lock);
		web_handle(sv->site, paths[i], NULL, 0, &rs);
		pthread_mutex_unlock(&sv->lock);
		web_response_release(&rs);
	}
	return NULL;
}

/* "[host]:[port]" -> host (brackets removed) and port text; -1 when malformed. */
static int split_addr(const char *addr, char *host, size_t hsize, char *port, size_t psize,
		      struct cp_err *err)
{
	const char *colon, *h = addr;
	size_t hl;

	if (*addr == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return cp_errf(err, "-http=%s: want [host]:[port]", addr);
		h = addr + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return cp_errf(err, "-http=%s: missing port (want [host]:[port])", addr);
		hl = (size_t)(colon - addr);
		if (memchr(addr, ':', hl))
			return cp_errf(err, "-http=%s: put an IPv6 address in brackets", addr);
	}
	if (hl >= hsize || strlen(colon + 1) >= psize)
		return cp_errf(err, "-http=%s: address too long", addr);
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, psize, "%s", colon + 1);
	for (const char *q = port; *q; q++)
		if (*q < '0' || *q > '9')
			return cp_errf(err, "-http=%s: bad port \"%s\"", addr, port);
	if (*port && atol(port) > 65535)
		return cp_errf(err, "-http=%s: bad port \"%s\"", addr, port);
	return 0;
}

/* A listening socket for host:port (IPv4 first); fills sv->port and sv->loopback. */
static int listen_on(struct server *sv, const char *port, struct cp_err *err)
{
	struct addrinfo hints, *res = NULL;
	int fd = -1, rc, last = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(sv->host, *port ? port : "0", &hints, &res);
	if (rc)
		return cp_errf(err, "-http: %s: %s", sv->host, gai_strerror(rc));
	for (int pass = 0; pass < 2 && fd < 0; pass++) {
		for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
			int one = 1;
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);

			if ((ai->ai_family == AF_INET) != (pass == 0))
				continue;
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (fd < 0) {
				last = errno;
				continue;
			}
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64) ||
			    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
				last = errno;
				close(fd);
				fd = -1;
				continue;
			}
			sv->loopback = addr_loopback((struct sockaddr *)&ss);
			sv->port = ntohs(ss.ss_family == AF_INET ?
						 ((struct sockaddr_in *)&ss)->sin_port :
						 ((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return cp_errf(err, "-http: listen on %s:%s: %s", sv->host, *port ? port : "0",
			       strerror(last ? last : EADDRNOTAVAIL));
	return fd;
}

/* $BROWSER, else xdg-open, detached (its own session, output discarded). */
static void open_browser(const char *url)
{
	pid_t pid = fork();

	if (pid == 0) {
		const char *b = getenv("BROWSER");
		int null = open("/dev/null", O_RDWR);

		setsid();
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		if (fork() != 0)
			_exit(0);
		if (b && *b)
			execl("/bin/sh", "sh", "-c", "$BROWSER \"$1\"", "sh", url, (char *)NULL);
		else
			execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int web_serve(const struct cp_profile *p, const struct cp_options *o, const struct web_config *cfg,
	      struct cp_err *err)
{
	struct server sv;
	struct MHD_Daemon *d = NULL;
	char port[16];
	struct buf url = BUF_INIT;
	sigset_t sigs, old;
	pthread_t warm;
	bool warming = false;
	int fd, sig, ret = 0;

	memset(&sv, 0, sizeof(sv));
	buf_init(&url);
	if (split_addr(cfg->addr, sv.host, sizeof(sv.host), port, sizeof(port), err))
		return -1;
	if (!*sv.host)
		snprintf(sv.host, sizeof(sv.host), "localhost");
	fd = listen_on(&sv, port, err);
	if (fd < 0)
		return -1;
	sv.site = web_site_new(p, o, cfg->title);
	pthread_mutex_init(&sv.lock, NULL);

	/* the daemon's thread inherits the mask, so only sigwait below sees the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, &sv,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)64 * 1024, MHD_OPTION_URI_LOG_CALLBACK, keep_raw_uri, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_END);
	if (!d) {
		close(fd);
		ret = cp_errf(err, "-http: cannot start the web server");
		goto out;
	}
	if (strchr(sv.host, ':'))
		buf_addf(&url, "http://[%s]:%u", sv.host, sv.port);
	else
		buf_addf(&url, "http://%s:%u", sv.host, sv.port);
	printf("Serving web UI on %s\n", url.buf);
	fflush(stdout);
	warming = !pthread_create(&warm, NULL, warm_up, &sv);
	if (cfg->open_browser)
		open_browser(url.buf);
	while (sigwait(&sigs, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	atomic_store(&sv.stopping, true);
	if (warming)
		pthread_join(warm, NULL);
	MHD_stop_daemon(d); /* closes the listening socket too */
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	web_site_free(sv.site);
	pthread_mutex_destroy(&sv.lock);
	buf_release(&url);
	return ret;
}
