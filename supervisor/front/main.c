/* SPDX-License-Identifier: MIT */
/* Command line: unotifyd run|trace|check|filter|profile|serve|exec|status,
 * and copycat compatibility. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "client.h"
#include "copycat.h"
#include "filter.h"
#include "log.h"
#include "profile.h"
#include "pods.h"
#include "rules.h"
#include "run.h"
#include "serve.h"
#include "status.h"
#include "syscalls.h"
#include "trace.h"

#define EXIT_FAILED	125	/* unotifyd failed before starting the command */

static const char usage_text[] =
"usage: unotifyd run [-v] [--log FILE] [--stats] [-r PATH]... [--redirect SRC=DST]...\n"
"                    [--allow-io-uring] [--] CMD [ARG]...\n"
"       unotifyd trace [-o FILE] [--format text|json|ini] [-r PATH]...\n"
"                      [--redirect SRC=DST]... [--allow-io-uring] [--] CMD [ARG]...\n"
"       unotifyd check [--for-service] [-r PATH]... [--redirect SRC=DST]...\n"
"       unotifyd filter [-r PATH]... [--redirect SRC=DST]...\n"
"       unotifyd profile [-r PATH]... [--redirect SRC=DST]...\n"
"                      [--listener-path PATH] [--metadata STR]\n"
"       unotifyd serve [-v] [--log FILE] [--socket PATH] [--group NAME] [-r PATH]...\n"
"                      [--handover-wait SECONDS] [--handover-stay]\n"
"                      [--check] [--max-clients N] [--max-clients-per-uid N]\n"
"       unotifyd exec [-v] [--log FILE] [--socket PATH] [--] CMD [ARG]...\n"
"       unotifyd status [--socket PATH] [--json | --prometheus]\n"
"       copycat [-v] [--] CMD [ARG]...\n"
"\n"
"  -r, --rules PATH        INI rules file, or directory of *.ini (repeatable)\n"
"      --redirect SRC=DST  redirect SRC to DST (SRC ending in / is a prefix)\n"
"      --socket PATH       daemon socket (default " SERVE_SOCKET ")\n"
"      --group NAME        group of the daemon's socket (mode 0660)\n"
"      --handover-wait SECONDS\n"
"                          on SIGTERM, wait this long for a successor to take\n"
"                          over (default 30, 0 under systemd; 0: do not)\n"
"      --handover-stay     after handing over, idle until stopped (a container\n"
"                          that would be restarted) instead of exiting\n"
"      --allow-io-uring    let programs use io_uring, which bypasses the rules\n"
"      --listener-path PATH\n"
"                          the profile's agent socket (default: --socket's default)\n"
"      --metadata STR      the profile's listenerMetadata (e.g. rules=NAME)\n"
"  -v, --verbose           log every decision\n"
"      --log FILE          log to FILE instead of stderr (- for stderr)\n"
"      --stats             print counters and answer latency at exit\n"
"  -o, --output FILE       trace: write the record to FILE (default stderr)\n"
"      --format FORMAT     trace: text (default), json (a line per call), or\n"
"                          ini (redirect rules for the config files read)\n"
"      --for-service       check in the daemon's environment (no HOME);\n"
"                          without -r, the daemon's rule directories\n"
"      --json, --prometheus  status as JSON, or Prometheus text\n"
"      --check             serve: only check the rules it would load\n"
"      --max-clients N     serve: clients in their handshake at once (64)\n"
"      --max-clients-per-uid N  serve: the same for one uid (16)\n"
"  -h, --help              show this help\n"
"\n"
"Rules: unotifyd.rules(5). Manual: unotifyd(8).\n";

static void NORETURN
usage(int status, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fputs("unotifyd: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage_text, status == 0 ? stdout : stderr);
	exit(status);
}

/* Rules from COPYCAT when set; from ./.copycat.conf when required. */
static void
main_copycat(struct rule_set *rules, int required, struct causes *causes)
{
	const char *env = getenv("COPYCAT");
	const char *conf = ".copycat.conf";
	cleanup_free char *text = NULL;
	cleanup_fclose FILE *f = NULL;
	size_t len = 0;

	if (env != NULL) {
		copycat_parse(rules, env, "COPYCAT", causes);
		return;
	}
	if (!required)
		return;
	if ((f = fopen(conf, "re")) == NULL) {
		causes_add(causes, "no rules: COPYCAT is unset and ./%s: %s",
		    conf, strerror(errno));
		return;
	}
	if (getdelim(&text, &len, '\0', f) < 0 && ferror(f)) {
		causes_add(causes, "./%s: %s", conf, strerror(errno));
		return;
	}
	copycat_parse(rules, text != NULL ? text : "", "./.copycat.conf",
	    causes);
}

/* Open /dev/null on closed 0-2 so no later fd lands there by accident. */
static void
main_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
			die_errno(EXIT_FAILED, "/dev/null");
}


static int
main_filter(const struct rule_set *rules)
{
	struct filter *filter;
	const char *why;
	int r;

	/* What `run` would install, tracking calls included. */
	if ((r = filter_build(syscalls_run_mask(rules_syscalls(rules),
	    geteuid() == 0), &filter, &why)) < 0)
		die(EXIT_FAILED, "%s: %s", why, strerror(-r));
	filter_print(filter, stdout);
	filter_free(filter);
	return 0;
}

/*
 * A file with [match] is for Kubernetes containers (unotifyd serve), never
 * for a command run here: leave its rules out, as serve would.
 */
static void
main_unscoped(struct rule_set *rules)
{
	const struct pod_ident none = { { NULL } };
	struct rule_set *view;
	size_t dropped;

	if ((dropped = pods_view(rules, &none, &view)) > 0)
		log_warn("%zu rules of files with [match] do not apply to "
		    "commands run here", dropped);
	if (view == NULL)
		return;
	rules_free(rules);
	*rules = *view;
	free(view);
}

/* --handover-wait: whole seconds, 0 to a day. */
static int
main_seconds(const char *arg, int fail)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 86400)
		usage(fail, "--handover-wait: '%s' is not a number of seconds "
		    "from 0 to 86400", arg);
	return (int)v;
}

/*
 * The profile an OCI runtime needs to make the daemon its seccomp agent.
 * The agent runs as root, so its targets notify what a privileged `run`
 * would (`unotifyd filter` as root): the same profile whoever writes it.
 */
static int
main_profile(const struct rule_set *rules, const char *listener,
    const char *metadata)
{
	syscalls_mask mask = syscalls_run_mask(rules_syscalls(rules), 1);
	int r;

	if (mask == 0)
		die(EXIT_FAILED, "no rules: the profile would notify nothing "
		    "(give -r PATH or --redirect)");
	if (listener[0] != '/')
		die(EXIT_FAILED, "--listener-path %s: not an absolute path",
		    listener);
	if ((r = profile_print(mask, listener, metadata, stdout)) < 0)
		die(EXIT_FAILED, "profile: %s", strerror(-r));
	return 0;
}

enum main_command {
	MAIN_RUN, MAIN_TRACE, MAIN_CHECK, MAIN_FILTER, MAIN_PROFILE, MAIN_SERVE, MAIN_EXEC,
	MAIN_STATUS, MAIN_COPYCAT
};

/* Which options each command takes. */
#define MAIN_OPT_RULES		0x001
#define MAIN_OPT_REDIRECT	0x002
#define MAIN_OPT_SOCKET		0x004
#define MAIN_OPT_GROUP		0x008
#define MAIN_OPT_VERBOSE	0x010
#define MAIN_OPT_LOG		0x020
#define MAIN_OPT_STATS		0x040
#define MAIN_OPT_FORMAT		0x080
#define MAIN_OPT_SERVICE	0x100
#define MAIN_OPT_HANDOVER	0x200
#define MAIN_OPT_DAEMON		0x400	/* serve's --check, --max-clients... */
#define MAIN_OPT_PROFILE	0x800	/* --listener-path, --metadata */
#define MAIN_OPT_TRACE		0x1000	/* -o, --format */

/* Each option's bit and its name in messages. */
static const struct main_opt {
	int		 c;
	unsigned int	 opt;
	const char	*name;
} main_opts[] = {
	{ 'r', MAIN_OPT_RULES, "-r/--rules" },
	{ 'R', MAIN_OPT_REDIRECT, "--redirect" },
	{ 'S', MAIN_OPT_SOCKET, "--socket" },
	{ 'G', MAIN_OPT_GROUP, "--group" },
	{ 'U', MAIN_OPT_RULES, "--allow-io-uring" },
	{ 'v', MAIN_OPT_VERBOSE, "-v/--verbose" },
	{ 'L', MAIN_OPT_LOG, "--log" },
	{ 'T', MAIN_OPT_STATS, "--stats" },
	{ 'J', MAIN_OPT_FORMAT, "--json" },
	{ 'P', MAIN_OPT_FORMAT, "--prometheus" },
	{ 'F', MAIN_OPT_SERVICE, "--for-service" },
	{ 'l', MAIN_OPT_PROFILE, "--listener-path" },
	{ 'm', MAIN_OPT_PROFILE, "--metadata" },
	{ 'W', MAIN_OPT_HANDOVER, "--handover-wait" },
	{ 'Y', MAIN_OPT_HANDOVER, "--handover-stay" },
	{ 'C', MAIN_OPT_DAEMON, "--check" },
	{ 'M', MAIN_OPT_DAEMON, "--max-clients" },
	{ 'N', MAIN_OPT_DAEMON, "--max-clients-per-uid" },
	{ 'o', MAIN_OPT_TRACE, "-o/--output" },
	{ 'X', MAIN_OPT_TRACE, "--format" },
};

/* A rules source, loaded in command-line order once options are read. */
struct main_source {
	int		 c;		/* 'r' or 'R' */
	const char	*arg;
};

static const struct main_cmd {
	const char		*name;
	enum main_command	 cmd;
	unsigned int		 opts;
	int			 command;	/* takes CMD [ARG]... */
} main_cmds[] = {
	{ "run", MAIN_RUN, MAIN_OPT_RULES | MAIN_OPT_REDIRECT |
	    MAIN_OPT_VERBOSE | MAIN_OPT_LOG | MAIN_OPT_STATS, 1 },
	{ "trace", MAIN_TRACE, MAIN_OPT_RULES | MAIN_OPT_REDIRECT |
	    MAIN_OPT_TRACE, 1 },
	{ "check", MAIN_CHECK, MAIN_OPT_RULES | MAIN_OPT_REDIRECT |
	    MAIN_OPT_SERVICE, 0 },
	{ "filter", MAIN_FILTER, MAIN_OPT_RULES | MAIN_OPT_REDIRECT, 0 },
	{ "profile", MAIN_PROFILE, MAIN_OPT_RULES | MAIN_OPT_REDIRECT |
	    MAIN_OPT_PROFILE, 0 },
	{ "serve", MAIN_SERVE, MAIN_OPT_RULES | MAIN_OPT_SOCKET |
	    MAIN_OPT_GROUP | MAIN_OPT_VERBOSE | MAIN_OPT_LOG |
	    MAIN_OPT_HANDOVER | MAIN_OPT_DAEMON, 0 },
	{ "exec", MAIN_EXEC, MAIN_OPT_SOCKET | MAIN_OPT_VERBOSE |
	    MAIN_OPT_LOG, 1 },
	{ "status", MAIN_STATUS, MAIN_OPT_SOCKET | MAIN_OPT_FORMAT, 0 },
	{ "copycat", MAIN_COPYCAT, MAIN_OPT_VERBOSE, 1 },
};

/* The option's entry in main_opts, or NULL (-h, unknown). */
static const struct main_opt *
main_opt(int c)
{
	size_t i;

	for (i = 0; i < nitems(main_opts); i++)
		if (main_opts[i].c == c)
			return &main_opts[i];
	return NULL;
}

/* A count option's value: a number from 1 to 1,000,000. */
static unsigned int
main_count(const char *arg, const char *name, int fail)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 1000000)
		usage(fail, "%s: '%s' is not a number from 1 to 1000000", name,
		    arg);
	return (unsigned int)v;
}

/* Load one -r or --redirect source. */
static void
main_load(struct rule_set *rules, const struct main_source *src,
    struct causes *causes)
{
	if (src->c == 'R')
		rules_add_redirect(rules, src->arg, "--redirect", causes);
	else
		rules_load(rules, src->arg, causes);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "redirect", required_argument, NULL, 'R' },
		{ "socket", required_argument, NULL, 'S' },
		{ "group", required_argument, NULL, 'G' },
		{ "handover-wait", required_argument, NULL, 'W' },
		{ "handover-stay", no_argument, NULL, 'Y' },
		{ "allow-io-uring", no_argument, NULL, 'U' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'L' },
		{ "stats", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "for-service", no_argument, NULL, 'F' },
		{ "listener-path", required_argument, NULL, 'l' },
		{ "metadata", required_argument, NULL, 'm' },
		{ "check", no_argument, NULL, 'C' },
		{ "max-clients", required_argument, NULL, 'M' },
		{ "max-clients-per-uid", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve_options so = { .handover_wait = -1 };
	const struct main_cmd *mc = NULL;
	const struct main_opt *mo;
	struct main_source *sources = NULL;
	const char **paths = NULL, *logpath = NULL;
	const char *listener = SERVE_SOCKET, *metadata = NULL;
	const char *trace_path = NULL;
	FILE *trace_out = stderr;
	size_t npaths = 0, nsources = 0, i;
	struct rule_set rules;
	struct causes causes = { 0 };
	enum status_format format = STATUS_TEXT;
	int c, verbose = 0, stats = 0, for_service = 0, status, fail, r;
	int trace_format = TRACE_TEXT;

	main_std_fds();
	rules_init(&rules);
	if (strcmp(basename(argv[0]), "copycat") == 0)
		mc = &main_cmds[nitems(main_cmds) - 1];
	else {
		if (argc < 2)
			usage(EXIT_FAILED, NULL);
		if (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "help") == 0)
			usage(0, NULL);
		for (i = 0; i < nitems(main_cmds) - 1; i++)
			if (strcmp(argv[1], main_cmds[i].name) == 0)
				mc = &main_cmds[i];
		if (mc == NULL)
			usage(EXIT_FAILED, "unknown command '%s'", argv[1]);
		argv++;
		argc--;
	}
	fail = mc->cmd == MAIN_CHECK ? 1 : EXIT_FAILED;
	while ((c = getopt_long(argc, argv, "+r:o:vh", longopts, NULL)) != -1) {
		mo = main_opt(c);
		if (mo != NULL && !(mc->opts & mo->opt))
			usage(fail, "%s does not take %s", mc->name, mo->name);
		switch (c) {
		case 'r':
			paths = xreallocarray(paths, npaths + 2,
			    sizeof(*paths));
			paths[npaths++] = optarg;
			paths[npaths] = NULL;
			/* FALLTHROUGH */
		case 'R':
			sources = xreallocarray(sources, nsources + 1,
			    sizeof(*sources));
			sources[nsources].c = c;
			sources[nsources++].arg = optarg;
			break;
		case 'S':
			so.socket = optarg;
			break;
		case 'U':
			rules.io_uring = 1;
			so.io_uring = 1;
			break;
		case 'G':
			so.group = optarg;
			break;
		case 'W':
			so.handover_wait = main_seconds(optarg, fail);
			break;
		case 'Y':
			so.handover_stay = 1;
			break;
		case 'C':
			so.check = 1;
			break;
		case 'M':
		case 'N':
			*(c == 'M' ? &so.max_clients : &so.max_clients_per_uid) =
			    main_count(optarg, mo->name, fail);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'L':
			logpath = optarg;
			break;
		case 'T':
			stats = 1;
			break;
		case 'J':
		case 'P':
			if (format != STATUS_TEXT)
				usage(fail, "--json and --prometheus exclude "
				    "each other");
			format = c == 'J' ? STATUS_JSON : STATUS_PROMETHEUS;
			break;
		case 'F':
			for_service = 1;
			break;
		case 'l':
			listener = optarg;
			break;
		case 'm':
			metadata = optarg;
			break;
		case 'o':
			trace_path = optarg;
			break;
		case 'X':
			if ((trace_format = trace_format_from_name(optarg)) < 0)
				usage(fail, "--format: '%s' is not text, json "
				    "or ini", optarg);
			break;
		case 'h':
			usage(0, NULL);
		default:
			usage(fail, NULL);
		}
	}
	argv += optind;
	argc -= optind;
	if (mc->command && argc == 0)
		usage(fail, "no command given");
	if (!mc->command && argc != 0)
		usage(fail, "unexpected argument '%s'", argv[0]);
	if (logpath != NULL && (r = log_open(logpath)) < 0)
		die(EXIT_FAILED, "--log %s: %s", logpath, strerror(-r));
	/* Rules expand ${VAR} and ~ as the daemon would see them. */
	if (for_service)
		check_service_env();
	/* Rules keep command-line order: first match wins. */
	if (mc->cmd != MAIN_SERVE)
		for (i = 0; i < nsources; i++)
			main_load(&rules, &sources[i], &causes);
	if (for_service && npaths == 0)
		rules_load_dropins(&rules, serve_rules_dirs, &causes);
	free(sources);
	if ((mc->cmd == MAIN_RUN || mc->cmd == MAIN_TRACE ||
	    mc->cmd == MAIN_CHECK ||
	    mc->cmd == MAIN_COPYCAT) && !for_service)
		main_copycat(&rules, mc->cmd == MAIN_COPYCAT, &causes);
	/* The daemon logs its life too; journald keeps the levels. */
	log_init(verbose ? LOG_LEVEL_DEBUG : mc->cmd == MAIN_SERVE ?
	    LOG_LEVEL_INFO : LOG_LEVEL_WARNING,
	    mc->cmd == MAIN_SERVE && getenv("JOURNAL_STREAM") != NULL);
	if (causes.n != 0) {
		causes_print(&causes, stderr);
		if (for_service)
			fprintf(stderr, "unotifyd: checked in the service's "
			    "environment: no HOME or USER; only PATH, "
			    "RUNTIME_DIRECTORY and CONFIGURATION_DIRECTORY\n");
		if (mc->cmd != MAIN_CHECK)
			fprintf(stderr, "unotifyd: invalid rules; the command "
			    "was not started\n");
		causes_free(&causes);
		rules_free(&rules);
		free(paths);
		return fail;
	}
	switch (mc->cmd) {
	case MAIN_CHECK:
		check_report(&rules, for_service);
		status = 0;
		break;
	case MAIN_STATUS:
		status = status_query(so.socket ? so.socket : SERVE_SOCKET,
		    format);
		break;
	case MAIN_FILTER:
		status = main_filter(&rules);
		break;
	case MAIN_PROFILE:
		status = main_profile(&rules, listener, metadata);
		break;
	case MAIN_SERVE:
		so.rules = paths;
		/* Under systemd the fd store keeps listeners over a restart,
		 * and a stop must not take half a minute. */
		if (so.handover_wait < 0)
			so.handover_wait = getenv("NOTIFY_SOCKET") != NULL ? 0 :
			    SERVE_HANDOVER_WAIT;
		status = serve_run(&so);
		break;
	case MAIN_EXEC:
		status = client_exec(so.socket ? so.socket : SERVE_SOCKET,
		    argv);
		break;
	case MAIN_TRACE:
		/* Opened before the command starts: it may change the file. */
		if (trace_path != NULL &&
		    (trace_out = fopen(trace_path, "we")) == NULL)
			die_errno(EXIT_FAILED, "-o %s", trace_path);
		if (trace_out != stderr)
			setvbuf(trace_out, NULL, _IOFBF, 1 << 16);
		trace_start(trace_out, (enum trace_format)trace_format, argv);
		main_unscoped(&rules);
		rules_index(&rules);
		status = run_command(&rules, argv, 0, 1);
		if ((r = trace_finish()) < 0) {
			log_err("-o %s: %s", trace_path != NULL ? trace_path :
			    "stderr", strerror(-r));
			if (status == 0)
				status = EXIT_FAILED;
		}
		break;
	default:
		main_unscoped(&rules);
		rules_index(&rules);
		status = run_command(&rules, argv, stats, 0);
	}
	rules_free(&rules);
	free(paths);
	return status;
}
