package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarLicensesTest {

  private static final String NOTICE =
      """
      Example
      Copyright 2026 The Example Authors

      - Foo: MIT License, with a
        continued title
        packages: com.foo,
          org.foo
        files: foo.txt, foo-extra/
        in: example-all

      - Bar: Apache License 2.0
        packages: org.bar
        files: Apache-2.0.txt
        in: other-all
      """;

  @TempDir Path root;
  private final Map<String, String> entries = new LinkedHashMap<>();

  @BeforeEach
  void repository() throws IOException {
    Files.writeString(root.resolve("LICENSE"), "the license");
    Files.writeString(root.resolve("NOTICE"), NOTICE);
    entries.put("META-INF/LICENSE", "the license");
    entries.put("META-INF/NOTICE", NOTICE);
    entries.put("dev/cohort/core/Engine.class", "");
    entries.put("dev/cohort/shaded/com/foo/Foo.class", "");
    entries.put("META-INF/versions/11/org/foo/Foo.class", "");
    entries.put("META-INF/licenses/foo.txt", "MIT");
    entries.put("META-INF/licenses/foo-extra/LICENSE", "BSD");
  }

  @Test
  void passes_whenEveryBundledLibraryHasItsEntryAndFiles() throws IOException {
    Path jar = jar();

    assertThatCode(() -> JarLicenses.assertBundledLicenses(jar, "example-all", root))
        .doesNotThrowAnyException();
    assertThatCode(() -> JarLicenses.assertCarriesCohortLicense(jar, root))
        .doesNotThrowAnyException();
  }

  @Test
  void fails_whenALibraryThatNoticeDoesNotListIsBundled() throws IOException {
    entries.put("com/newdep/util/Helper.class", "");
    Path jar = jar();

    assertThatThrownBy(() -> JarLicenses.assertBundledLicenses(jar, "example-all", root))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("NOTICE does not list for example-all: [com.newdep.util]");
  }

  @Test
  void fails_whenABundledLibraryOverwroteTheLicenseOrLeftItsOwn() throws IOException {
    entries.put("META-INF/LICENSE", "a dependency's license");
    entries.put("LICENSE", "another dependency's license");
    entries.put("META-INF/LICENSE.txt", "and another");
    Path jar = jar();

    assertThatThrownBy(() -> JarLicenses.assertBundledLicenses(jar, "example-all", root))
        .hasMessageContaining("META-INF/LICENSE is not the repository's LICENSE")
        .hasMessageContaining("LICENSE: a bundled library's license")
        .hasMessageContaining("META-INF/LICENSE.txt: a bundled library's license");
    assertThatThrownBy(() -> JarLicenses.assertCarriesCohortLicense(jar, root))
        .hasMessageContaining("META-INF/LICENSE is not the repository's LICENSE");
  }

  @Test
  void fails_whenALicenseFileIsMissingOrUnclaimed() throws IOException {
    entries.remove("META-INF/licenses/foo-extra/LICENSE");
    entries.put("META-INF/licenses/stale.txt", "");
    Path jar = jar();

    assertThatThrownBy(() -> JarLicenses.assertBundledLicenses(jar, "example-all", root))
        .hasMessageContaining("META-INF/licenses/foo-extra/ (Foo, NOTICE) is missing")
        .hasMessageContaining("META-INF/licenses/stale.txt is named by no NOTICE entry");
  }

  @Test
  void fails_whenNoticeListsALibraryTheJarDoesNotBundle_orOmitsTheJarName() throws IOException {
    Path jar = jar();

    assertThatThrownBy(() -> JarLicenses.assertBundledLicenses(jar, "other-all", root))
        .hasMessageContaining("NOTICE lists Bar in other-all, but the jar has no class of")
        .hasMessageContaining("Foo is in the jar, but its NOTICE entry does not say in: other-all");
  }

  private Path jar() throws IOException {
    Path jar = root.resolve("example-all.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return jar;
  }
}
