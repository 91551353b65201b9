/* SPDX-License-Identifier: MIT */
/*
 * The console tty (/dev/console, /dev/tty) over the UART, as Linux's n_tty:
 * a line discipline run from the UART receive interrupt (canonical lines
 * of up to 4095 bytes with erase, kill, word erase, literal next and
 * reprint; echo; ^C, ^\ and ^Z to the foreground process group; ^D end of
 * file; raw mode with VMIN / VTIME), output processing (ONLCR), and
 * readers that park on a wait queue until a whole line (or, in raw mode,
 * enough bytes) is in. One line goes to one reader. The console is the
 * controlling terminal of the session that claims it (TIOCSCTTY), with a
 * foreground group (TIOCSPGRP) and job control for the others.
 *
 * Files: tty.c (line discipline, read, write), tty_ioctl.c (termios and
 * the other ioctls), tty_jobctl.c (the controlling terminal).
 */
#ifndef KERNEL_DRIVERS_TTY_TTY_H
#define KERNEL_DRIVERS_TTY_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/vfs.h"

extern const struct file_ops tty_fops;

/* struct termios as the Linux kernel's TCGETS/TCSETS see it (asm-generic). */
#define TTY_NCCS 19
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
};

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422

/*
 * Take over the UART receive notification (idempotent). Called on the first
 * open of the console; the integrator may call it earlier (e.g. when the
 * root is mounted). Until then the UART belongs to the echo task.
 */
void tty_init(void);

/* Feed received bytes through the line discipline (what the UART interrupt
 * does; tests call it directly). Any context. */
void tty_input(const char *s, size_t n);

/* Where echo and writes go (default uart_write); tests capture it. */
void tty_set_output(void (*out)(const char *s, size_t n));

/* Back to cooked mode with an empty buffer and no session (tests). */
void tty_reset(void);

struct proc;
/* The console is @p's controlling terminal (for /dev/tty). */
bool tty_console_is_ctty(struct proc *p);
/* /proc/<pid>/stat's tpgid: the console's foreground group if it is @p's
 * controlling terminal (-1 without one), 0 if it is not. */
int tty_console_fg_pgrp_of(struct proc *p);
/* Session @sid's leader exits: if the console is its terminal, the
 * foreground group gets SIGHUP and the console is free. Process context;
 * called before proc_lock is taken. */
void tty_session_leader_exit(int sid);

#endif
