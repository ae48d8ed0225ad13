package dev.cohort.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: the same settings as the command line, as a properties file whose keys are
 * the long option names without dashes ({@code http-port=8081}). Options given on the command line
 * win over the file. An unreadable file or an unknown key is bad usage (exit 2).
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
  private final Properties properties;

  private ConfigFile(Properties properties) {
    this.properties = properties;
  }

  /** The value of {@code --config} in {@code args}, or null. */
  static String find(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--config: missing file name — pass --config FILE");
        }
        return args[i + 1];
      }
      if (args[i].startsWith("--config=")) {
        return args[i].substring("--config=".length());
      }
    }
    return null;
  }

  /**
   * Installs the file named by {@code --config} (if any) as the default values of the subcommand in
   * {@code args[0]}.
   */
  static void install(CommandLine root, String[] args) {
    String file = find(args);
    if (file == null || args.length == 0) {
      return;
    }
    CommandLine sub = root.getSubcommands().get(args[0]);
    if (sub == null || sub.getCommandSpec().findOption("--config") == null) {
      return;
    }
    Properties p = load(Path.of(file));
    Set<String> known = new TreeSet<>();
    for (OptionSpec o : sub.getCommandSpec().options()) {
      known.add(o.longestName().replaceFirst("^-+", ""));
    }
    known.remove("config");
    for (String key : p.stringPropertyNames()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(
            "--config: unknown key '"
                + key
                + "' in "
                + file
                + " — keys are long option names without dashes: "
                + String.join(", ", List.copyOf(known)));
      }
    }
    sub.setDefaultValueProvider(new ConfigFile(p));
  }

  static Properties load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--config: cannot read '"
              + file
              + "': "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage())
              + " — check the path and its permissions",
          e);
    }
    return p;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec o) {
      return properties.getProperty(o.longestName().replaceFirst("^-+", ""));
    }
    return null;
  }
}
