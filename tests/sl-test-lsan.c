/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-test-lsan.c: leaks LeakSanitizer reports in GLib and GTK themselves
 * (see sl-test-lsan.h for why tests/lsan.supp cannot name them).
 *
 * Found with full stacks (a malloc hook taking glibc's backtrace (), which
 * reads DWARF CFI and needs no frame pointers) and a GTK-only program that
 * opens a GtkFileChooserNative under the same LSan settings:
 *
 * - GLib's quark table. g_quark_init () (GLib's constructor) allocates 2048
 *   slots (16384 bytes); at the 2049th quark, quark_new () copies them into
 *   a bigger array and drops the old one without freeing it, on purpose
 *   ("This leaks the old quarks array", glib/gquark.c: lock-free readers may
 *   still hold it). Any program that makes more than 2048 quarks "leaks"
 *   that block: type, property and signal names are quarks, and GTK's file
 *   chooser registers ~280 of them (test-window-keep: 1945 quarks without
 *   it, 2229 once it is shown).
 * - GTK 4.8's file chooser (the GtkFileChooserDialog GtkFileChooserNative
 *   falls back to without a portal) leaves GtkTreePaths, a GList, a
 *   GDateTime, the GError libcloudproviders gets with no session bus, and
 *   the GFileInfos its GtkFileSystemModel enumerates in GIO's worker
 *   threads; a bare GTK program opening and cancelling the chooser leaks
 *   them too.
 *
 * The first is one known block. For the others, between begin and end,
 * every allocation's full stack is read (glibc's backtrace ()) and those
 * GTK or GLib made on their own are ignored (allocated_by_gtk ()); what
 * the program allocates stays reported, also through GTK's functions or
 * from a GTK callback: leaks planted in the chooser's response handler, the
 * save thread, the close after saving and an extra GtkFileFilter reference
 * were all still reported. Reading stacks is slow, so only while needed.
 */

#include "config.h"

#include "sl-test-lsan.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SL_TEST_ASAN 1
#endif

#ifdef SL_TEST_ASAN

#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#include <sanitizer/lsan_interface.h>

/* The ASan runtime's allocator interface (GCC 12 installs no header for it) */
int __sanitizer_install_malloc_and_free_hooks (void (*malloc_hook) (const volatile void *, size_t),
                                               void (*free_hook) (const volatile void *));
int __sanitizer_get_ownership (const volatile void *p);
size_t __sanitizer_get_allocated_size (const volatile void *p);

#define QUARK_BLOCK_SIZE 2048 /* glib/gquark.c */
#define MAX_FRAMES       256  /* GTK's widget trees make deep stacks */
#define MAX_RANGES       256

/* ---- GLib's first quark table -------------------------------------------- */

/* The word in libglib's writable data that points at the quark table: an
 * ASan block of 2048 pointers whose slots 1 and 2 are quarks 1 and 2 */
static int
find_quarks_in (struct dl_phdr_info *info, size_t size, void *data)
{
  const void **found = data;

  if (strstr (info->dlpi_name, "/libglib-2.0.so") == NULL)
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      guintptr start = info->dlpi_addr + ph->p_vaddr;
      guintptr end = start + ph->p_memsz;

      if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) == 0)
        continue;
      for (guintptr at = (start + sizeof (gpointer) - 1) & ~(sizeof (gpointer) - 1);
           at + sizeof (gpointer) <= end; at += sizeof (gpointer))
        {
          const char *const *table = *(const char *const *const *) at;

          if (table != NULL && __sanitizer_get_ownership (table) &&
              __sanitizer_get_allocated_size (table) == QUARK_BLOCK_SIZE * sizeof (char *) &&
              table[0] == NULL && table[1] == g_quark_to_string (1) &&
              table[2] == g_quark_to_string (2))
            {
              *found = table;
              return 1;
            }
        }
    }
  return 0;
}

void
sl_test_lsan_ignore_glib_quarks (void)
{
  const void *table = NULL;

  /* Quarks 1 and 2 exist from GLib's start; the table is the first one
   * until the 2049th quark */
  g_assert_nonnull (g_quark_to_string (2));
  g_assert_null (g_quark_to_string (QUARK_BLOCK_SIZE));
  dl_iterate_phdr (find_quarks_in, &table);
  g_assert_nonnull (table);
  __lsan_ignore_object (table);
}

/* ---- what GTK allocates on its own --------------------------------------- */

typedef enum
{
  OWNER_OTHER,
  OWNER_PROGRAM, /* this test program: Socklens and the test */
  OWNER_ASAN,
  OWNER_GLIB, /* GLib, GObject, GIO and libc: they allocate for a caller */
  OWNER_GTK,
  OWNER_GTK_OWN, /* libraries only GTK calls, never the program */
} Owner;

typedef struct
{
  guintptr start;
  guintptr end;
  Owner    owner;
} CodeRange;

static CodeRange         ranges[MAX_RANGES];
static guint             n_ranges;
static pthread_t         main_thread;
static gint              active;
static guint             n_ignored;
static __thread gboolean in_hook;

static Owner
owner_of_library (const char *name)
{
  static const struct
  {
    const char *name;
    Owner       owner;
  } known[] = {
    { "/libasan.so", OWNER_ASAN },
    { "/libglib-2.0.so", OWNER_GLIB },
    { "/libgobject-2.0.so", OWNER_GLIB },
    { "/libgio-2.0.so", OWNER_GLIB },
    { "/libc.so", OWNER_GLIB },
    { "/libgtk-4.so", OWNER_GTK },
    { "/libcloudproviders.so", OWNER_GTK_OWN },
  };

  if (name[0] == '\0')
    return OWNER_PROGRAM;
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strstr (name, known[i].name) != NULL)
      return known[i].owner;
  return OWNER_OTHER;
}

static int
add_code_ranges (struct dl_phdr_info *info, size_t size, void *data)
{
  Owner owner = owner_of_library (info->dlpi_name);

  for (int i = 0; i < info->dlpi_phnum && n_ranges < MAX_RANGES; i++)
    if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X) != 0)
      {
        guintptr start = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;

        ranges[n_ranges++] = (CodeRange){ start, start + info->dlpi_phdr[i].p_memsz, owner };
      }
  return 0;
}

static Owner
owner_of_address (gpointer address)
{
  guintptr at = GPOINTER_TO_SIZE (address);

  for (guint i = 0; i < n_ranges; i++)
    if (at >= ranges[i].start && at < ranges[i].end)
      return ranges[i].owner;
  return OWNER_OTHER;
}

/* GTK's own: walking out from the allocation past ASan, GLib and libc,
 * the first caller is a library only GTK calls; or it is GTK, and GTK was
 * not called by the program but by the main loop (an event, an idle, an
 * async callback); or, in a thread of GLib's, there is no caller at all
 * (GIO's workers filling GTK's file model). What the program asks of GTK,
 * and what it allocates itself from inside a GTK callback, has a frame of
 * the program first and stays reported. */
static gboolean
allocated_by_gtk (void)
{
  gpointer frames[MAX_FRAMES];
  int      n = backtrace (frames, MAX_FRAMES);
  int      i = 0;
  gboolean in_gtk = FALSE;

  /* ASan's backtrace (), this hook, then ASan's allocator */
  while (i < n && owner_of_address (frames[i]) == OWNER_ASAN)
    i++;
  while (i < n && owner_of_address (frames[i]) == OWNER_PROGRAM)
    i++;
  while (i < n && owner_of_address (frames[i]) == OWNER_ASAN)
    i++;
  for (; i < n; i++)
    switch (owner_of_address (frames[i]))
      {
      case OWNER_GLIB:
        break;
      case OWNER_GTK_OWN:
        if (!in_gtk)
          return TRUE;
        break;
      case OWNER_GTK:
        in_gtk = TRUE;
        break;
      case OWNER_PROGRAM:
        return in_gtk && owner_of_address (frames[i - 1]) == OWNER_GLIB;
      case OWNER_ASAN:
      case OWNER_OTHER:
      default:
        return FALSE;
      }
  return n < MAX_FRAMES && !pthread_equal (pthread_self (), main_thread);
}

static void
on_malloc (const volatile void *ptr, size_t size)
{
  if (!g_atomic_int_get (&active) || in_hook)
    return;
  in_hook = TRUE;
  if (allocated_by_gtk ())
    {
      __lsan_ignore_object ((const void *) ptr);
      g_atomic_int_inc (&n_ignored);
    }
  in_hook = FALSE;
}

static void
on_free (const volatile void *ptr)
{
}

void
sl_test_lsan_begin_gtk_own (void)
{
  static gboolean installed;
  gpointer        first[2];

  /* Libraries loaded since the last time (GTK loads some on demand) */
  n_ranges = 0;
  dl_iterate_phdr (add_code_ranges, NULL);
  main_thread = pthread_self ();
  backtrace (first, G_N_ELEMENTS (first)); /* loads libgcc_s outside the hook */
  if (!installed)
    installed = __sanitizer_install_malloc_and_free_hooks (on_malloc, on_free) != 0;
  g_assert_true (installed);
  g_atomic_int_set (&n_ignored, 0);
  g_atomic_int_set (&active, TRUE);
}

guint
sl_test_lsan_end_gtk_own (void)
{
  g_atomic_int_set (&active, FALSE);
  return g_atomic_int_get (&n_ignored);
}

#else /* !SL_TEST_ASAN */

void
sl_test_lsan_ignore_glib_quarks (void)
{
}

void
sl_test_lsan_begin_gtk_own (void)
{
}

guint
sl_test_lsan_end_gtk_own (void)
{
  return 0;
}

#endif
