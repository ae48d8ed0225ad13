package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks the license files in a built Cohort jar against the repository's {@code LICENSE} and
 * {@code NOTICE}.
 *
 * <p>{@link #assertCarriesCohortLicense}: the jar's {@code META-INF/LICENSE} and {@code
 * META-INF/NOTICE} are the repository's, byte for byte.
 *
 * <p>{@link #assertBundledLicenses}, for a jar that bundles other libraries (an {@code -all} jar):
 * the list of bundled libraries in {@code NOTICE} describes the jar. Each entry of that list is a
 * line {@code - Name: license} followed by indented {@code packages:}, {@code files:} and {@code
 * in:} lines (a deeper-indented line continues the one before). Every class of the jar outside
 * {@code dev.cohort} (classes relocated under {@code dev.cohort.shaded} count by their original
 * package) must belong to a library whose entry names this jar in {@code in:}, and every library so
 * named must have classes in the jar and all its {@code files:} under {@code META-INF/licenses/} (a
 * name ending in {@code /} is a directory with at least one file). Every file there must be claimed
 * by an entry, and no other file named like a license or notice (a bundled library's own {@code
 * LICENSE.txt}, say) may be left elsewhere in the jar. So a library added to a jar without its
 * NOTICE entry and license file fails the check, which names its packages.
 *
 * <p>Stateless; every method reads the jar once and fails with an {@link AssertionError} that lists
 * every problem found.
 */
public final class JarLicenses {

  private static final String SHADED = "dev/cohort/shaded/";
  private static final String OWN = "dev/cohort/";
  private static final String LICENSES = "META-INF/licenses/";
  private static final Pattern VERSIONED = Pattern.compile("^META-INF/versions/\\d+/");
  private static final Pattern LICENSE_LIKE =
      Pattern.compile("(?i)(license|licence|notice|copying)([.-][^/]*)?|about\\.html");

  private JarLicenses() {}

  /** The jar's {@code META-INF/LICENSE} and {@code META-INF/NOTICE} are the repository's. */
  public static void assertCarriesCohortLicense(Path jar, Path repositoryRoot) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<String> problems = new ArrayList<>();
      cohortFiles(zip, repositoryRoot, problems);
      assertThat(problems).as("license files of %s", jar).isEmpty();
    }
  }

  /**
   * The jar carries Cohort's LICENSE and NOTICE, and the license files of every library it bundles,
   * as the NOTICE at {@code repositoryRoot} lists them for {@code jarName} (a name used in the
   * NOTICE's {@code in:} lines, e.g. {@code cohort-tomcat}).
   */
  public static void assertBundledLicenses(Path jar, String jarName, Path repositoryRoot)
      throws IOException {
    List<Library> libraries = Library.parse(Files.readAllLines(repositoryRoot.resolve("NOTICE")));
    assertThat(libraries).as("the bundled libraries listed in NOTICE").isNotEmpty();
    List<String> problems = new ArrayList<>();
    List<String> entries;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      cohortFiles(zip, repositoryRoot, problems);
      entries = zip.stream().filter(e -> !e.isDirectory()).map(ZipEntry::getName).toList();
    }
    Map<Library, Integer> classes = new HashMap<>();
    Set<String> unknown = new TreeSet<>();
    for (String entry : entries) {
      if (entry.endsWith(".class")) {
        String name = VERSIONED.matcher(entry).replaceFirst("");
        if (name.startsWith(SHADED)) {
          name = name.substring(SHADED.length());
        } else if (name.startsWith(OWN)) {
          continue;
        }
        Library owner = Library.owning(libraries, name);
        if (owner == null) {
          unknown.add(packageOf(name));
        } else {
          classes.merge(owner, 1, Integer::sum);
        }
      } else if (strayLicense(entry)) {
        problems.add(
            entry
                + ": a bundled library's license or notice file — exclude it in the shade"
                + " filters; its text belongs in META-INF/licenses/, named in NOTICE");
      }
    }
    if (!unknown.isEmpty()) {
      problems.add(
          "classes of libraries that NOTICE does not list for "
              + jarName
              + ": "
              + unknown
              + " — add an entry to NOTICE (license, packages, files, in: "
              + jarName
              + "), its license text under licenses/, and an IncludeResourceTransformer for the"
              + " text in the module's maven-shade-plugin configuration");
    }
    for (Library library : libraries) {
      boolean bundled = classes.containsKey(library);
      boolean listed = library.jars().contains(jarName);
      if (bundled && !listed) {
        problems.add(
            library.name() + " is in the jar, but its NOTICE entry does not say in: " + jarName);
      } else if (listed && !bundled) {
        problems.add(
            "NOTICE lists "
                + library.name()
                + " in "
                + jarName
                + ", but the jar has no class of "
                + library.packages());
      }
      if (bundled) {
        for (String file : library.files()) {
          if (entries.stream().noneMatch(e -> claims(file, e))) {
            problems.add(
                "META-INF/licenses/" + file + " (" + library.name() + ", NOTICE) is missing");
          }
        }
      }
    }
    for (String entry : entries) {
      if (entry.startsWith(LICENSES)
          && libraries.stream()
              .filter(classes::containsKey)
              .flatMap(l -> l.files().stream())
              .noneMatch(f -> claims(f, entry))) {
        problems.add(entry + " is named by no NOTICE entry of a library in the jar");
      }
    }
    assertThat(problems).as("license files of %s against NOTICE", jar).isEmpty();
  }

  private static void cohortFiles(ZipFile zip, Path root, List<String> problems)
      throws IOException {
    for (String name : List.of("LICENSE", "NOTICE")) {
      ZipEntry entry = zip.getEntry("META-INF/" + name);
      if (entry == null) {
        problems.add("META-INF/" + name + " is missing");
        continue;
      }
      try (InputStream in = zip.getInputStream(entry)) {
        if (!Arrays.equals(in.readAllBytes(), Files.readAllBytes(root.resolve(name)))) {
          problems.add("META-INF/" + name + " is not the repository's " + name);
        }
      }
    }
  }

  private static boolean strayLicense(String entry) {
    if (entry.equals("META-INF/LICENSE")
        || entry.equals("META-INF/NOTICE")
        || entry.startsWith(LICENSES)) {
      return false;
    }
    return LICENSE_LIKE.matcher(entry.substring(entry.lastIndexOf('/') + 1)).matches();
  }

  private static boolean claims(String file, String entry) {
    String path = LICENSES + file;
    return file.endsWith("/") ? entry.startsWith(path) : entry.equals(path);
  }

  private static String packageOf(String classFile) {
    String[] parts = classFile.split("/");
    int depth = Math.min(parts.length - 1, 3);
    return depth == 0 ? "(default package)" : String.join(".", Arrays.copyOf(parts, depth));
  }

  /** One entry of NOTICE's list: packages as path prefixes, e.g. {@code org/jgroups/}. */
  private record Library(String name, List<String> packages, List<String> files, Set<String> jars) {

    private static final Pattern FIELD = Pattern.compile("^  (packages|files|in): (.*)$");

    static Library owning(List<Library> libraries, String classFile) {
      Library best = null;
      int length = -1;
      for (Library library : libraries) {
        for (String prefix : library.packages()) {
          if (classFile.startsWith(prefix) && prefix.length() > length) {
            best = library;
            length = prefix.length();
          }
        }
      }
      return best;
    }

    static List<Library> parse(List<String> lines) {
      List<Library> libraries = new ArrayList<>();
      Map<String, StringBuilder> fields = null;
      String field = null;
      List<String> all = new ArrayList<>(lines);
      all.add("");
      for (String line : all) {
        if (line.startsWith("- ")) {
          fields = new HashMap<>();
          field = "name";
          fields.put(field, new StringBuilder(line.substring(2)));
        } else if (fields != null && line.isBlank()) {
          libraries.add(of(fields));
          fields = null;
        } else if (fields != null) {
          Matcher m = FIELD.matcher(line);
          if (m.matches()) {
            field = m.group(1);
            fields.put(field, new StringBuilder(m.group(2)));
          } else {
            fields.get(field).append(' ').append(line.strip());
          }
        }
      }
      return libraries;
    }

    private static Library of(Map<String, StringBuilder> fields) {
      String title = fields.get("name").toString();
      String name = title.contains(":") ? title.substring(0, title.indexOf(':')) : title;
      for (String required : List.of("packages", "files", "in")) {
        if (!fields.containsKey(required)) {
          throw new IllegalStateException(
              "NOTICE entry '" + name + "' has no '" + required + ":' line");
        }
      }
      return new Library(
          name,
          split(fields.get("packages")).stream().map(p -> p.replace('.', '/') + "/").toList(),
          split(fields.get("files")),
          new TreeSet<>(split(fields.get("in"))));
    }

    private static List<String> split(CharSequence value) {
      return Arrays.stream(value.toString().split(","))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    }
  }
}
