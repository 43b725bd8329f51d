#include "model/compat.h"
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <unistd.h>
#include "tui/screen.h"

static bool active;

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
