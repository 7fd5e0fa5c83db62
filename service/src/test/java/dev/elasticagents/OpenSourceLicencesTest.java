package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.Sbom.Licence;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenSourceLicencesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Apache-2.0",
        "MIT",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "EPL-1.0",
        "EPL-2.0",
        "MPL-2.0",
        "LGPL-2.1-only",
        "LGPL-3.0-or-later",
        "CDDL-1.1",
        "UPL-1.0",
        "ISC",
        "CC0-1.0",
        "GPL-2.0-with-classpath-exception"
      })
  void acceptsOpenSourceSpdxIds(String id) {
    assertThat(OpenSourceLicences.isOpenSource(new Licence(id, null, null, null))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "The Apache Software License, Version 2.0",
        "Apache License, Version 2.0",
        "Apache 2",
        "ASL 2.0",
        "The MIT License",
        "New BSD License",
        "BSD 3-Clause License",
        "The BSD License",
        "Eclipse Public License - v 2.0",
        "Eclipse Public License v1.0",
        "EPL 1.0",
        "Eclipse Distribution License - v 1.0",
        "Mozilla Public License Version 2.0",
        "GNU Lesser General Public License, Version 2.1",
        "GNU Lesser General Public Licence",
        "LGPL 3",
        "CDDL + GPLv2 with classpath exception",
        "GPL2 w/ CPE",
        "Common Development and Distribution License (CDDL) v1.0",
        "Universal Permissive License, Version 1.0",
        "Public Domain",
        "CC0 1.0 Universal",
        "Bouncy Castle Licence",
        "Go License"
      })
  void acceptsTheUsualNamesOfOpenSourceLicences(String name) {
    assertThat(OpenSourceLicences.isOpenSource(new Licence(null, name, null, null))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://www.apache.org/licenses/LICENSE-2.0.txt",
        "http://opensource.org/licenses/MIT",
        "https://opensource.org/license/bsd-3-clause/",
        "https://www.eclipse.org/legal/epl-v20.html",
        "http://www.eclipse.org/org/documents/edl-v10.php",
        "https://www.mozilla.org/en-US/MPL/2.0/",
        "http://www.gnu.org/licenses/lgpl.txt",
        "https://creativecommons.org/publicdomain/zero/1.0/"
      })
  void acceptsTheUrlsOfOpenSourceLicences(String url) {
    assertThat(OpenSourceLicences.isOpenSource(new Licence(null, "License", url, null))).isTrue();
  }

  @Test
  void acceptsSpdxExpressionsOfOpenSourceLicences() {
    assertThat(expression("EPL-2.0 OR Apache-2.0")).isTrue();
    assertThat(expression("(MIT AND BSD-3-Clause)")).isTrue();
    assertThat(expression("GPL-2.0-only WITH Classpath-exception-2.0")).isTrue();
    assertThat(expression("GPL-2.0-only OR Apache-2.0")).isTrue();
    assertThat(expression("GPL-2.0-only AND Apache-2.0")).isFalse();
    assertThat(expression("BUSL-1.1")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Camunda License v1.0",
        "Zeebe Community License v1.1",
        "Apache License 2.0 with Commons Clause",
        "GNU General Public License, version 2",
        "GNU Affero General Public License v3",
        "Server Side Public License",
        "Business Source License 1.1",
        "Elastic License 2.0",
        "BSD 4-Clause License",
        "Proprietary"
      })
  void refusesCamundasLicencesAndOthersThatAreNotOpenSource(String name) {
    assertThat(OpenSourceLicences.isOpenSource(new Licence(null, name, null, null))).isFalse();
  }

  @Test
  void knowsCamundasLicencesByNameOrUrl() {
    assertThat(
            OpenSourceLicences.isCamundas(
                new Licence(
                    null, "License", "https://zeebe.io/legal/zeebe-community-license-1.1", null)))
        .isTrue();
    assertThat(OpenSourceLicences.isCamundas(new Licence(null, "Camunda License 1.0", null, null)))
        .isTrue();
    assertThat(
            OpenSourceLicences.isCamundas(
                new Licence(null, "Apache License, Version 2.0", null, null)))
        .isFalse();
  }

  @Test
  void oneOpenSourceAlternativeIsEnoughButAnyCamundaLicenceRefuses() {
    Licence apache = new Licence("Apache-2.0", null, null, null);
    Licence gpl = new Licence(null, "GNU General Public License, version 2", null, null);
    Licence camunda = new Licence(null, "Camunda License v1.0", null, null);

    assertThat(OpenSourceLicences.refusal(List.of(apache, gpl))).isEmpty();
    assertThat(OpenSourceLicences.refusal(List.of(apache, camunda)))
        .hasValue("under Apache-2.0 or 'Camunda License v1.0', Camunda's own licence");
    assertThat(OpenSourceLicences.refusal(List.of(gpl)))
        .hasValue(
            "under 'GNU General Public License, version 2', not an allowed open-source licence");
    assertThat(OpenSourceLicences.refusal(List.of())).hasValue("no licence in its POM");
  }

  private static boolean expression(String expression) {
    return OpenSourceLicences.isOpenSource(new Licence(null, null, null, expression));
  }
}
