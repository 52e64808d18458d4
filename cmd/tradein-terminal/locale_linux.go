//go:build linux

package main

// Under LANG=C.UTF-8 (the default of containers, minimal installs and
// systemd services) Fyne cannot parse the locale "C" and prints a
// three-line "Fyne error: Error parsing user locale C" on every start,
// before main runs: Fyne reads the locale in its package initialisation,
// which Go runs before any code of this program. Only code that runs
// before the Go runtime can change what Fyne sees, hence this C
// constructor.
//
// When the locale for messages (the first set of LC_ALL, LC_MESSAGES,
// LANG, as Fyne reads them) is C or POSIX with a codeset or modifier
// (C.UTF-8, POSIX.utf8, C@x) and LANGUAGE is unset, it sets LANGUAGE=en
// and executes the program again: Fyne then takes LANGUAGE (it consults
// LANGUAGE for any locale but plain C and POSIX, as gettext does) and
// matches English, the language it falls back to for "C" anyway. LANG and
// LC_* stay as they were, so character handling (LC_CTYPE: UTF-8 input
// and file names) is unchanged; LANGUAGE only chooses message catalogues,
// and only Fyne's own few strings (the file dialog's buttons) are
// affected; the app's UI language is its own setting (--lang, config.json).
//
// The exec happens before the Go runtime starts, so it costs one more
// program load with its shared libraries (GL, X11), and only in those
// locales: `--version` took 81 ms instead of 38 ms (medians of 25 runs on a
// busy 2-core machine), once per start of an app that runs all day. If the
// exec fails, the program goes on as before (Fyne prints its complaint
// and uses English).

/*
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// tradein_c_locale reports whether v names the C or POSIX locale with
// something after it ("C.UTF-8", "POSIX@x"); plain "C" and "POSIX" Fyne
// reads without complaint.
static int tradein_c_locale(const char *v) {
	size_t n = strcspn(v, ".@_");
	if (v[n] == '\0') {
		return 0;
	}
	return (n == 1 && v[0] == 'C') || (n == 5 && strncmp(v, "POSIX", 5) == 0);
}

// glibc calls constructors with the program's argc, argv and envp.
__attribute__((constructor)) static void tradein_map_c_locale(int argc, char **argv, char **envp) {
	static const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v = NULL;
	for (int i = 0; i < 3 && v == NULL; i++) {
		v = getenv(names[i]);
		if (v != NULL && *v == '\0') {
			v = NULL;
		}
	}
	if (v == NULL || !tradein_c_locale(v)) {
		return;
	}
	const char *lg = getenv("LANGUAGE");
	if (lg != NULL && *lg != '\0') {
		return;
	}
	if (argc < 1 || setenv("LANGUAGE", "en", 1) != 0) {
		return;
	}
	execv("/proc/self/exe", argv);
}
*/
import "C"
