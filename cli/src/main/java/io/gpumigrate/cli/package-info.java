/** The {@code gpumigrate} command: one class per subcommand, and where the runnable distribution's parts are found. */
package io.gpumigrate.cli;
