/*
 * main.c — the `doppel` program: picks the subcommand from a table and
 * hands it the rest of the command line.
 *
 * A subcommand is a row (name, one-line summary, entry point, help), so
 * adding one means adding a row and its file, nothing else here. The
 * options every command understands (--help, --version) also work before
 * any command: `doppel --help` shows the help of the first
 * command, the one most people want.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_cmd.h"
#include "index_cmd.h"
#include "diag.h"
#include "tempfile.h"

#include "doppel.h"

#include <stdio.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* arguments after the name */
    void (*help)(FILE *out);
} cli_command;

static const cli_command commands[] = {
    {"dedup", "cluster near-duplicate articles", dedup_command,
     dedup_print_help},
    {"index", "a persistent index of articles for feeds", index_command,
     index_print_help},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        return CLI_EXIT_DATA;
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_tempfile_install_handlers();
    char list[256] = "";
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (i)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, commands[i].name, sizeof list - strlen(list) - 1);
    }
    if (argc < 2)
        return cli_usage_error("no command given (commands: %s)", list);
    const char *word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
        commands[0].help(stdout);
        return finish_stdout();
    }
    if (strcmp(word, "--version") == 0) {
        printf("doppel %s\n", doppel_version());
        return finish_stdout();
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(word, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    if (word[0] == '-')
        return cli_usage_error("unknown option '%s' (options go after the "
                               "command: %s)",
                               word, list);
    return cli_usage_error("unknown command '%s' (commands: %s)", word, list);
}
