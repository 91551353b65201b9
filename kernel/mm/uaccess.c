// SPDX-License-Identifier: MIT
/*
 * copy_from_user, copy_to_user, strncpy_from_user over a software page-table
 * walk; see uaccess.h. Each page is translated and copied under as->lock, so
 * it cannot be unmapped or freed halfway through.
 */
#include "kernel/mm/uaccess.h"

#include <stdbool.h>

#include "kernel/mm/as.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PAGE_MASK (PAGE_SIZE - 1)

static bool user_span_ok(uintptr_t u, size_t n)
{
	return u < USER_TOP && n <= USER_TOP - u;
}

/*
 * Copy up to n bytes between kernel memory k and user address u, page by
 * page, with one lock hold for the whole copy; consecutive pages in the same
 * 2 MiB are found through the cursor's leaf table without a walk. Returns
 * the bytes copied, or the error of the first page.
 */
static long copy_user(struct as *as, uintptr_t u, void *k, size_t n, bool to_user,
		      struct as_cursor *cur)
{
	unsigned access = to_user ? AS_PROT_WRITE : AS_PROT_READ;
	char *kp = k;
	size_t done = 0;
	int err = 0;

	if (!n)
		return 0;
	if (!user_span_ok(u, n))
		return -EFAULT;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	while (done < n) {
		size_t chunk = PAGE_SIZE - (u & PAGE_MASK);
		char *p = as_user_ptr_cursor_locked(as, u, access, cur, &err);

		if (!p)
			break;
		if (chunk > n - done)
			chunk = n - done;
		if (to_user)
			memcpy(p, kp, chunk);
		else
			memcpy(kp, p, chunk);
		u += chunk;
		kp += chunk;
		done += chunk;
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return done ? (long)done : err;
}

int copy_from_user(struct as *as, void *dst, uintptr_t usrc, size_t n)
{
	struct as_cursor cur = { 0 };
	long r = copy_user(as, usrc, dst, n, false, &cur);

	return r < 0 ? (int)r : (size_t)r == n ? 0 : -EFAULT;
}

int copy_to_user(struct as *as, uintptr_t udst, const void *src, size_t n)
{
	struct as_cursor cur = { 0 };
	long r = copy_user(as, udst, (void *)src, n, true, &cur);

	return r < 0 ? (int)r : (size_t)r == n ? 0 : -EFAULT;
}

long copy_from_user_part(struct as *as, void *dst, uintptr_t usrc, size_t n,
			 struct as_cursor *cur)
{
	struct as_cursor mine = { 0 };

	return copy_user(as, usrc, dst, n, false, cur ? cur : &mine);
}

long copy_to_user_part(struct as *as, uintptr_t udst, const void *src, size_t n,
		       struct as_cursor *cur)
{
	struct as_cursor mine = { 0 };

	return copy_user(as, udst, (void *)src, n, true, cur ? cur : &mine);
}

long copy_to_user_vec(struct as *as, uintptr_t u, size_t ulen, const struct kvec *v,
		      unsigned n, unsigned *vi, size_t *voff, struct as_cursor *cur)
{
	size_t done = 0;
	int err = 0;

	if (!ulen || *vi >= n)
		return 0;
	if (!user_span_ok(u, ulen))
		return -EFAULT;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	while (done < ulen && *vi < n) {
		char *p = as_user_ptr_cursor_locked(as, u, AS_PROT_WRITE, cur, &err);
		size_t room = PAGE_SIZE - (u & PAGE_MASK);

		if (!p)
			break;
		if (room > ulen - done)
			room = ulen - done;
		/* Fill this user page from as many pieces as it takes. */
		while (room && *vi < n) {
			size_t c = v[*vi].len - *voff;

			if (c > room)
				c = room;
			memcpy(p, (const char *)v[*vi].base + *voff, c);
			p += c;
			u += c;
			done += c;
			room -= c;
			*voff += c;
			if (*voff == v[*vi].len) {
				++*vi;
				*voff = 0;
			}
		}
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return done ? (long)done : err;
}

long strncpy_from_user(struct as *as, char *dst, uintptr_t usrc, size_t max)
{
	size_t len = 0;
	long ret = -ENAMETOOLONG;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	while (len < max) {
		uintptr_t u = usrc + len;

		if (u < usrc || u >= USER_TOP) {
			ret = -EFAULT;
			break;
		}
		const char *p = as_user_ptr_locked(as, u, AS_PROT_READ, &err);

		if (!p) {
			ret = err;
			break;
		}
		size_t chunk = PAGE_SIZE - (u & PAGE_MASK);

		if (chunk > max - len)
			chunk = max - len;
		const char *nul = memchr(p, 0, chunk);

		if (nul) {
			memcpy(dst + len, p, (size_t)(nul - p) + 1);
			ret = (long)(len + (size_t)(nul - p));
			break;
		}
		memcpy(dst + len, p, chunk);
		len += chunk;
	}
	spin_unlock_irqrestore(&as->lock, fl);
	if (ret < 0 && max)
		dst[0] = '\0'; /* never leave an unterminated buffer behind */
	return ret;
}
