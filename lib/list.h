/* SPDX-License-Identifier: MIT */
/*
 * Intrusive circular doubly-linked lists. A list is a struct list_head that
 * points at itself when empty; elements embed a struct list_head and are
 * recovered with container_of(). No locking: the owner of the list decides.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

#ifndef container_of
/* The structure of type @type whose member @member is at @ptr. */
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
				       struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert @n right after @head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	list_insert_between(n, head, head->next);
}

/* Insert @n right before @head, i.e. at the tail (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	list_insert_between(n, head->prev, head);
}

/*
 * Unlink @n and leave it self-linked, so a second list_del() is a harmless
 * no-op and list_is_linked() answers false afterwards.
 */
static inline void list_del(struct list_head *n)
{
	n->next->prev = n->prev;
	n->prev->next = n->next;
	list_init(n);
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

/* For a node initialised with list_init(): is it on some list? */
static inline bool list_is_linked(const struct list_head *n)
{
	return n->next != n;
}

static inline bool list_is_singular(const struct list_head *h)
{
	return !list_empty(h) && h->next == h->prev;
}

/* Move @n from wherever it is to the tail of @head. */
static inline void list_move_tail(struct list_head *n, struct list_head *head)
{
	list_del(n);
	list_add_tail(n, head);
}

/* Append every node of @from to the tail of @to; @from is left empty. */
static inline void list_splice_tail_init(struct list_head *from, struct list_head *to)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* The first element; the list must not be empty. */
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) list_entry((head)->prev, type, member)

/* The first element, or NULL when the list is empty. */
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))

#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_entry(pos, head, member)                                \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member);      \
	     &(pos)->member != (head);                                        \
	     (pos) = list_next_entry(pos, member))

/* Safe against list_del() of @pos inside the loop body; @n is scratch. */
#define list_for_each_entry_safe(pos, n, head, member)                        \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),      \
	     (n) = list_next_entry(pos, member);                              \
	     &(pos)->member != (head);                                        \
	     (pos) = (n), (n) = list_next_entry(n, member))

#endif /* LIB_LIST_H */
