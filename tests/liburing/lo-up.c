// SPDX-License-Identifier: MIT
/*
 * lo-up: bring the loopback interface up, as a booted Linux system's init scripts would.
 * Only for the Linux baseline (tools/liburing-test.mk, test-liburing-linux): many of
 * liburing's tests talk TCP or UDP over 127.0.0.1, and a Linux booted straight into a
 * shell has lo down. Our kernel has no AF_INET, so it does not run this.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0) {
		perror("lo-up: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		perror("lo-up: lo");
		return 1;
	}
	close(s);
	return 0;
}
