#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/path.h"

char *path_clean(const char *path, size_t len)
{
	bool rooted = len && path[0] == '/';
	char *out = xmalloc(len + 2);
	size_t w = 0, r = 0, dotdot = 0;

	if (len == 0) {
		out[0] = '.';
		out[1] = '\0';
		return out;
	}
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == len || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
			   (r + 2 == len || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < len && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

const char *path_base(const char *dir, size_t len, size_t *blen)
{
	size_t end = len, start;

	while (end > 1 && dir[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	*blen = end - start;
	if (end == 0) {
		*blen = 1;
		return ".";
	}
	if (*blen == 0) {
		*blen = 1;
		return "/";
	}
	return dir + start;
}

const char *path_trim(const char *path, const char *trim_path, const char *source_path)
{
	static const char *const fixed[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };
	struct buf want = BUF_INIT;

	buf_init(&want);
	if ((!trim_path || !*trim_path) && source_path && *source_path) {
		for (const char *d = source_path; *d;) {
			const char *colon = strchr(d, ':');
			size_t dl = colon ? (size_t)(colon - d) : strlen(d), bl;
			const char *b = path_base(d, dl, &bl);
			const char *found;

			buf_reset(&want);
			buf_addc(&want, '/');
			buf_add(&want, b, bl);
			buf_addc(&want, '/');
			found = strstr(path, want.buf);
			if (found) {
				found += want.len;
				buf_release(&want);
				return found;
			}
			if (!colon)
				break;
			d = colon + 1;
		}
	}
	for (const char *d = trim_path ? trim_path : ""; *d;) {
		const char *colon = strchr(d, ':');
		size_t dl = colon ? (size_t)(colon - d) : strlen(d);

		if (dl) {
			buf_reset(&want);
			buf_add(&want, d, dl);
			if (want.buf[want.len - 1] != '/')
				buf_addc(&want, '/');
			if (!strncmp(path, want.buf, want.len)) {
				path += want.len;
				buf_release(&want);
				return path;
			}
		}
		if (!colon)
			break;
		d = colon + 1;
	}
	buf_release(&want);
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (!strncmp(path, fixed[i], strlen(fixed[i])))
			return path + strlen(fixed[i]);
	return path;
}
