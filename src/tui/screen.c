#include "model/compat.h"
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <unistd.h>
#include "tui/screen.h"

static bool active;
static int ncolors; /* 256, 8 or 0: what the drawings use */
static bool utf8;
/* colour pairs for (fg, bg), allocated on first use; 0: not yet, -1: none left */
static short pairs[SCREEN_C_COUNT + 1][SCREEN_C_COUNT + 1];
static short next_pair = 16;

static void restore(void)
{
	if (active) {
		active = false;
		endwin();
	}
}

/* Give the terminal back, then let the signal do what it would have done. */
static void on_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int screen_open(struct cp_err *err)
{
	static const int sigs[] = { SIGINT,  SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
				    SIGABRT, SIGBUS,  SIGFPE, SIGILL };
	static bool hooked;

	if (!isatty(0) || !isatty(1))
		return cp_errf(err, "the full-screen views need a terminal");
	setlocale(LC_CTYPE, "");
	if (!newterm(NULL, stdout, stdin))
		return cp_errf(err, "cannot use terminal type \"%s\"",
			       getenv("TERM") ? getenv("TERM") : "");
	active = true;
	if (!hooked) {
		hooked = true;
		atexit(restore);
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], on_signal);
	}
	utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN);
		init_pair(2, COLOR_BLACK, COLOR_YELLOW);
		init_pair(3, COLOR_BLACK, COLOR_RED);
		init_pair(4, COLOR_BLACK, COLOR_MAGENTA);
		init_pair(5, COLOR_YELLOW, -1);
		init_pair(6, COLOR_MAGENTA, -1);
		init_pair(7, COLOR_RED, -1);
	}
	ncolors = !has_colors() ? 0 : COLORS >= 256 ? 256 : 8;
	if (getenv("CPROF_COLORS")) {
		int cap = atoi(getenv("CPROF_COLORS"));

		if (cap < ncolors)
			ncolors = cap >= 256 ? 256 : cap >= 8 ? 8 : 0;
	}
	memset(pairs, 0, sizeof(pairs));
	next_pair = 16;
	return 0;
}

void screen_close(void)
{
	restore();
}

void screen_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void screen_erase(void)
{
	erase();
}

static attr_t attr_of(enum screen_attr a)
{
	bool color = has_colors();

	switch (a) {
	case SCREEN_HEADER:
		return A_BOLD;
	case SCREEN_SELECT:
		return A_REVERSE;
	case SCREEN_STATUS:
		return color ? (attr_t)COLOR_PAIR(1) : A_REVERSE;
	case SCREEN_MATCH:
		return color ? (attr_t)COLOR_PAIR(2) : A_UNDERLINE;
	case SCREEN_FRAME1:
		return color ? (attr_t)COLOR_PAIR(3) : A_UNDERLINE;
	case SCREEN_FRAME2:
		return color ? (attr_t)COLOR_PAIR(4) : A_DIM | A_UNDERLINE;
	case SCREEN_HEAT1:
		return color ? (attr_t)COLOR_PAIR(5) : A_NORMAL;
	case SCREEN_HEAT2:
		return color ? (attr_t)COLOR_PAIR(6) | A_BOLD : A_BOLD;
	case SCREEN_HEAT3:
		return color ? (attr_t)COLOR_PAIR(7) | A_BOLD : A_BOLD | A_UNDERLINE;
	case SCREEN_NORMAL:
		break;
	}
	return A_NORMAL;
}

void screen_put(int row, int col, const char *s, size_t len, enum screen_attr a)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (row < 0 || row >= rows || col >= cols)
		return;
	if (len > (size_t)(cols - col))
		len = (size_t)(cols - col);
	attron(attr_of(a));
	mvaddnstr(row, col, s, (int)len);
	attroff(attr_of(a));
}

void screen_fill(int row, int col, enum screen_attr a)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (row < 0 || row >= rows)
		return;
	attron(attr_of(a));
	for (int c = col; c < cols; c++)
		mvaddch(row, c, ' ');
	attroff(attr_of(a));
}

int screen_colors(void)
{
	return ncolors;
}

bool screen_utf8(void)
{
	return utf8;
}

/* The terminal colour of c; -1 for the default. */
static short color_of(int c)
{
	/* the ramp: pale yellow to red, as flamegraph.pl's "hot" palette */
	static const short ramp256[SCREEN_C_RAMP] = { 229, 222, 221, 220, 214, 208, 202, 196 };
	static const short ramp8[SCREEN_C_RAMP] = { COLOR_YELLOW, COLOR_YELLOW, COLOR_YELLOW,
						    COLOR_YELLOW, COLOR_RED,	COLOR_RED,
						    COLOR_RED,	  COLOR_RED };

	if (c >= SCREEN_C_RAMP0 && c < SCREEN_C_RAMP)
		return ncolors == 256 ? ramp256[c] : ramp8[c];
	switch (c) {
	case SCREEN_C_SELECT:
		return ncolors == 256 ? 45 : COLOR_CYAN;
	case SCREEN_C_MATCH:
		return ncolors == 256 ? 201 : COLOR_MAGENTA;
	case SCREEN_C_OTHER:
		return ncolors == 256 ? 250 : COLOR_WHITE;
	default:
		return -1;
	}
}

static attr_t pair_attr(int fg, int bg)
{
	short *p;

	if (fg < SCREEN_C_NONE || fg >= SCREEN_C_COUNT)
		fg = SCREEN_C_NONE;
	if (bg < SCREEN_C_NONE || bg >= SCREEN_C_COUNT)
		bg = SCREEN_C_NONE;
	p = &pairs[fg + 1][bg + 1];
	if (*p == 0) {
		short f = color_of(fg), b = color_of(bg);

		/* text on a coloured cell is black, whatever the terminal's default */
		if (fg == SCREEN_C_NONE && bg != SCREEN_C_NONE)
			f = COLOR_BLACK;
		if (next_pair < COLOR_PAIRS && init_pair(next_pair, f, b) == OK)
			*p = next_pair++;
		else
			*p = -1;
	}
	return *p > 0 ? (attr_t)COLOR_PAIR(*p) : A_NORMAL;
}

/* Without colours: frames in reverse video, marks with more attributes. */
static attr_t mono_attr(int fg, int bg)
{
	attr_t a = A_NORMAL;

	if (bg != SCREEN_C_NONE)
		a = A_REVERSE;
	if (fg != SCREEN_C_NONE && bg == SCREEN_C_NONE)
		a = A_NORMAL;
	if (bg == SCREEN_C_SELECT || fg == SCREEN_C_SELECT)
		a |= A_BOLD;
	if (bg == SCREEN_C_MATCH || fg == SCREEN_C_MATCH)
		a |= A_UNDERLINE;
	return a;
}

void screen_put_color(int row, int col, const char *s, size_t len, int fg, int bg)
{
	int rows, cols;
	attr_t a = ncolors ? pair_attr(fg, bg) : mono_attr(fg, bg);

	getmaxyx(stdscr, rows, cols);
	if (row < 0 || row >= rows || col < 0 || col >= cols)
		return;
	if (len > (size_t)(cols - col) && (unsigned char)*s < 0x80)
		len = (size_t)(cols - col);
	attron(a);
	mvaddnstr(row, col, s, (int)len);
	attroff(a);
}

void screen_refresh(void)
{
	refresh();
}

void screen_invalidate(void)
{
	clearok(curscr, TRUE);
}

int screen_key(void)
{
	int c = getch();

	switch (c) {
	case KEY_UP:
		return SCREEN_KEY_UP;
	case KEY_DOWN:
		return SCREEN_KEY_DOWN;
	case KEY_LEFT:
		return SCREEN_KEY_LEFT;
	case KEY_RIGHT:
		return SCREEN_KEY_RIGHT;
	case KEY_PPAGE:
		return SCREEN_KEY_PGUP;
	case KEY_NPAGE:
		return SCREEN_KEY_PGDN;
	case KEY_HOME:
		return SCREEN_KEY_HOME;
	case KEY_END:
		return SCREEN_KEY_END;
	case KEY_ENTER:
	case '\r':
	case '\n':
		return SCREEN_KEY_ENTER;
	case 27:
		return SCREEN_KEY_ESC;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		return SCREEN_KEY_BACKSPACE;
	case KEY_RESIZE:
		return SCREEN_KEY_RESIZE;
	case ERR:
		return SCREEN_KEY_EOF;
	default:
		return c;
	}
}

/* Tab: the common prefix of the candidates, or their list on the row above. */
static void complete_line(struct buf *line, lineedit_complete_fn complete, void *ctx)
{
	struct buf cands = BUF_INIT;
	size_t start = 0, n, common;
	const char *first, *end;
	int rows, cols;

	buf_init(&cands);
	n = complete(ctx, line->buf, line->len, &start, &cands);
	if (n == 0) {
		beep();
		buf_release(&cands);
		return;
	}
	first = cands.buf;
	end = cands.buf + cands.len;
	common = strlen(first);
	for (const char *c = first + strlen(first) + 1; c < end; c += strlen(c) + 1) {
		size_t k = 0;

		while (k < common && c[k] == first[k])
			k++;
		common = k;
	}
	if (n > 1 && common <= line->len - start) {
		getmaxyx(stdscr, rows, cols);
		move(rows - 2, 0);
		clrtoeol();
		for (const char *c = first; c < end; c += strlen(c) + 1) {
			int y, x;

			getyx(stdscr, y, x);
			if (y != rows - 2 || x + (int)strlen(c) + 2 >= cols)
				break;
			addstr(c);
			addstr("  ");
		}
		buf_release(&cands);
		return;
	}
	line->len = start;
	line->buf[start] = '\0';
	buf_add(line, first, n == 1 ? strlen(first) : common);
	if (n == 1 && first[strlen(first) - 1] != '=')
		buf_addc(line, ' ');
	buf_release(&cands);
}

int screen_prompt(const char *prompt, struct buf *line, lineedit_complete_fn complete, void *ctx)
{
	int rows, cols;

	buf_reset(line);
	curs_set(1);
	for (;;) {
		int k;
		size_t plen = strlen(prompt), from = 0;

		getmaxyx(stdscr, rows, cols);
		if (plen + line->len + 1 > (size_t)cols)
			from = plen + line->len + 1 - (size_t)cols;
		move(rows - 1, 0);
		clrtoeol();
		mvaddstr(rows - 1, 0, prompt);
		addnstr(line->buf + from, (int)(line->len - from));
		refresh();
		k = screen_key();
		if (k == SCREEN_KEY_ENTER)
			break;
		if (k == SCREEN_KEY_ESC || k == SCREEN_KEY_EOF || k == 3 || k == 7) {
			curs_set(0);
			return -1;
		}
		if (k == SCREEN_KEY_BACKSPACE) {
			if (!line->len) {
				curs_set(0);
				return -1;
			}
			line->buf[--line->len] = '\0';
		} else if (k == 21) {
			buf_reset(line);
		} else if (k == '\t' && complete) {
			complete_line(line, complete, ctx);
		} else if (k >= 32 && k < 256) {
			buf_addc(line, (char)k);
		}
	}
	curs_set(0);
	return 0;
}
