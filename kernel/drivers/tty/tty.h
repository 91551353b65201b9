/* SPDX-License-Identifier: MIT */
/*
 * The console tty (/dev/console, /dev/tty) over the UART: a canonical-mode
 * line discipline run from the UART receive interrupt (echo, erase, ^U
 * kill, ^C -> SIGINT to the foreground, ^D end of file), and readers that
 * park on a wait queue until a whole line (or, in raw mode, any byte) is in.
 * One line goes to one reader. Writes go straight to uart_write.
 */
#ifndef KERNEL_DRIVERS_TTY_TTY_H
#define KERNEL_DRIVERS_TTY_TTY_H

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

/* Back to cooked mode with an empty buffer (tests). */
void tty_reset(void);

#endif
