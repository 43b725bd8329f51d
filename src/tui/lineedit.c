#include "model/compat.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "model/alloc.h"
#include "tui/lineedit.h"

static void push_history(struct lineedit *le, const char *line)
{
	if (le->nhist == LINEEDIT_HISTORY) {
		free(le->hist[0]);
		memmove(le->hist, le->hist + 1, (le->nhist - 1) * sizeof(*le->hist));
		le->nhist--;
	}
	le->hist[le->nhist++] = xstrdup(line);
}

/* mkdir -p of the file's directory. */
static void make_parent(const char *path)
{
	char *dir = xstrdup(path);

	for (char *s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(dir, 0700);
		*s = '/';
	}
	free(dir);
}

void lineedit_init(struct lineedit *le, const char *history_file, lineedit_complete_fn complete,
		   void *ctx)
{
	FILE *f;
	char *l = NULL;
	size_t cap = 0, total = 0;
	ssize_t n;

	memset(le, 0, sizeof(*le));
	le->hist = xcalloc(LINEEDIT_HISTORY, sizeof(*le->hist));
	le->complete = complete;
	le->ctx = ctx;
	if (!history_file)
		return;
	le->path = xstrdup(history_file);
	f = fopen(history_file, "r");
	if (!f)
		return;
	while ((n = getline(&l, &cap, f)) >= 0) {
		if (n && l[n - 1] == '\n')
			l[--n] = '\0';
		if (n)
			push_history(le, l);
		total++;
	}
	free(l);
	fclose(f);
	/* keep the file from growing without bound */
	if (total > 2 * LINEEDIT_HISTORY) {
		f = fopen(history_file, "w");
		for (size_t i = 0; f && i < le->nhist; i++)
			fprintf(f, "%s\n", le->hist[i]);
		if (f)
			fclose(f);
	}
}

void lineedit_release(struct lineedit *le)
{
	if (!le || !le->hist)
		return;
	for (size_t i = 0; i < le->nhist; i++)
		free(le->hist[i]);
	free(le->hist);
	free(le->path);
	le->hist = NULL;
	le->path = NULL;
	le->nhist = 0;
}

void lineedit_remember(struct lineedit *le, const char *line)
{
	FILE *f;

	if (!*line || strchr(line, '\n') || (le->nhist && !strcmp(le->hist[le->nhist - 1], line)))
		return;
	push_history(le, line);
	if (!le->path)
		return;
	make_parent(le->path);
	f = fopen(le->path, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/* ---- editing ---- */

struct edit {
	struct lineedit *le;
	const char *prompt;
	struct buf *line;
	size_t pos;
	size_t hist_at;	   /* le->nhist while editing a new line */
	char *saved;	   /* the new line, while browsing history */
	bool listed;	   /* last key was a Tab that inserted nothing */
	struct buf screen; /* what one refresh writes */
};

static void out(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static size_t columns(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) || ws.ws_col < 10)
		return 80;
	return ws.ws_col;
}

/* Redraw the prompt and the part of the line around the cursor. */
static void refresh(struct edit *e)
{
	size_t cols = columns(), plen = strlen(e->prompt), from = 0, len = e->line->len;
	size_t room = cols > plen + 1 ? cols - plen - 1 : 1;

	if (e->pos > room)
		from = e->pos - room;
	if (len - from > room)
		len = from + room;
	buf_reset(&e->screen);
	buf_adds(&e->screen, "\r");
	buf_adds(&e->screen, e->prompt);
	buf_add(&e->screen, e->line->buf + from, len - from);
	buf_addf(&e->screen, "\033[K\r\033[%zuC", plen + e->pos - from);
	out(e->screen.buf, e->screen.len);
}

static void set_line(struct edit *e, const char *s)
{
	buf_reset(e->line);
	buf_adds(e->line, s);
	e->pos = e->line->len;
}

static void insert(struct edit *e, const char *s, size_t n)
{
	struct buf *l = e->line;

	buf_grow(l, n);
	memmove(l->buf + e->pos + n, l->buf + e->pos, l->len - e->pos + 1);
	memcpy(l->buf + e->pos, s, n);
	l->len += n;
	e->pos += n;
}

static void erase(struct edit *e, size_t from, size_t to)
{
	struct buf *l = e->line;

	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	e->pos = from;
}

static void history_move(struct edit *e, int dir)
{
	struct lineedit *le = e->le;

	if (dir < 0 && e->hist_at == 0)
		return;
	if (dir > 0 && e->hist_at >= le->nhist)
		return;
	if (e->hist_at == le->nhist) {
		free(e->saved);
		e->saved = xstrdup(e->line->buf);
	}
	e->hist_at = dir < 0 ? e->hist_at - 1 : e->hist_at + 1;
	set_line(e, e->hist_at == le->nhist ? e->saved : le->hist[e->hist_at]);
}

static void complete(struct edit *e)
{
	struct buf cands = BUF_INIT;
	size_t start = 0, n, common, wlen;
	const char *first;

	if (!e->le->complete)
		return;
	buf_init(&cands);
	n = e->le->complete(e->le->ctx, e->line->buf, e->pos, &start, &cands);
	if (n == 0) {
		out("\a", 1);
		goto done;
	}
	first = cands.buf;
	common = strlen(first);
	for (const char *c = first + strlen(first) + 1; c < cands.buf + cands.len;
	     c += strlen(c) + 1) {
		size_t k = 0;

		while (k < common && c[k] == first[k])
			k++;
		common = k;
	}
	wlen = e->pos - start;
	if (n == 1 || common > wlen || strncmp(first, e->line->buf + start, wlen)) {
		erase(e, start, e->pos);
		insert(e, first, n == 1 ? strlen(first) : common);
		if (n == 1 && first[strlen(first) - 1] != '=')
			insert(e, " ", 1);
		/* as in bash: the next Tab lists what is left to choose from */
		e->listed = n > 1;
		goto done;
	}
	if (!e->listed) {
		e->listed = true;
		out("\a", 1);
		goto done;
	}
	/* a second Tab lists them below the line */
	{
		struct buf list = BUF_INIT;
		size_t width = 0, cols = columns(), per, col = 0, shown = 0;

		buf_init(&list);
		for (const char *c = first; c < cands.buf + cands.len; c += strlen(c) + 1)
			if (strlen(c) + 2 > width)
				width = strlen(c) + 2;
		per = width < cols ? cols / width : 1;
		buf_adds(&list, "\r\n");
		for (const char *c = first; c < cands.buf + cands.len && shown < 200;
		     c += strlen(c) + 1, shown++) {
			buf_addf(&list, "%-*s", (int)width, c);
			if (++col == per) {
				buf_adds(&list, "\r\n");
				col = 0;
			}
		}
		if (col)
			buf_adds(&list, "\r\n");
		if (n > shown)
			buf_addf(&list, "(%zu more)\r\n", n - shown);
		out(list.buf, list.len);
		buf_release(&list);
	}
done:
	buf_release(&cands);
}

/* Read a key; escape sequences come back as negative codes. */
enum {
	K_UP = -2,
	K_DOWN = -3,
	K_RIGHT = -4,
	K_LEFT = -5,
	K_HOME = -6,
	K_END = -7,
	K_DEL = -8
};

static int read_key(void)
{
	unsigned char c, seq[3];

	for (;;) {
		ssize_t r = read(0, &c, 1);

		if (r == 1)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		return -1;
	}
	if (c != 27)
		return c;
	if (read(0, seq, 1) != 1 || read(0, seq + 1, 1) != 1)
		return 27;
	if (seq[0] == '[' && seq[1] >= '0' && seq[1] <= '9') {
		if (read(0, seq + 2, 1) != 1 || seq[2] != '~')
			return 27;
		switch (seq[1]) {
		case '1':
		case '7':
			return K_HOME;
		case '4':
		case '8':
			return K_END;
		case '3':
			return K_DEL;
		default:
			return 27;
		}
	}
	if (seq[0] != '[' && seq[0] != 'O')
		return 27;
	switch (seq[1]) {
	case 'A':
		return K_UP;
	case 'B':
		return K_DOWN;
	case 'C':
		return K_RIGHT;
	case 'D':
		return K_LEFT;
	case 'H':
		return K_HOME;
	case 'F':
		return K_END;
	default:
		return 27;
	}
}

/* 1: line done, -1: EOF, 0: keep editing. */
static int handle_key(struct edit *e, int k)
{
	struct buf *l = e->line;

	if (k != '\t')
		e->listed = false;
	switch (k) {
	case -1:
		return -1;
	case '\r':
	case '\n':
		return 1;
	case 4: /* Ctrl-D */
		if (!l->len)
			return -1;
		/* fall through */
	case K_DEL:
		if (e->pos < l->len)
			erase(e, e->pos, e->pos + 1);
		break;
	case 3: /* Ctrl-C */
		out("^C", 2);
		buf_reset(l);
		e->pos = 0;
		return 1;
	case 127:
	case 8:
		if (e->pos)
			erase(e, e->pos - 1, e->pos);
		break;
	case 1:
	case K_HOME:
		e->pos = 0;
		break;
	case 5:
	case K_END:
		e->pos = l->len;
		break;
	case 2:
	case K_LEFT:
		if (e->pos)
			e->pos--;
		break;
	case 6:
	case K_RIGHT:
		if (e->pos < l->len)
			e->pos++;
		break;
	case 11:
		l->len = e->pos;
		l->buf[l->len] = '\0';
		break;
	case 21:
		erase(e, 0, e->pos);
		break;
	case 23: {
		size_t p = e->pos;

		while (p && l->buf[p - 1] == ' ')
			p--;
		while (p && l->buf[p - 1] != ' ')
			p--;
		erase(e, p, e->pos);
		break;
	}
	case 12:
		out("\033[H\033[2J", 7);
		break;
	case 16:
	case K_UP:
		history_move(e, -1);
		break;
	case 14:
	case K_DOWN:
		history_move(e, 1);
		break;
	case '\t':
		complete(e);
		break;
	default:
		if (k >= 32 && k != 127 && k < 256) {
			char ch = (char)k;

			insert(e, &ch, 1);
		}
		break;
	}
	return 0;
}

int lineedit_read(struct lineedit *le, const char *prompt, struct buf *line)
{
	struct termios orig, raw;
	struct edit e;
	int r = 0;

	buf_reset(line);
	if (tcgetattr(0, &orig))
		return -1;
	raw = orig;
	raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_oflag &= ~(tcflag_t)OPOST;
	raw.c_cflag |= CS8;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSADRAIN, &raw))
		return -1;
	memset(&e, 0, sizeof(e));
	e.le = le;
	e.prompt = prompt;
	e.line = line;
	e.hist_at = le->nhist;
	buf_init(&e.screen);
	refresh(&e);
	while (r == 0) {
		r = handle_key(&e, read_key());
		if (r == 0)
			refresh(&e);
	}
	tcsetattr(0, TCSADRAIN, &orig);
	out("\n", 1);
	free(e.saved);
	buf_release(&e.screen);
	return r < 0 ? -1 : 0;
}
