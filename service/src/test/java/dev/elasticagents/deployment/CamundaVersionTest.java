package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CamundaVersionTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"8.8.0", "8.8.14", "8.8.0-alpha3", "8.8.1-SNAPSHOT", " 8.8.2 ", "8.8"})
  void readsTheMinorReleaseOfWhatGatewaysAndBrokersReport(String reported) {
    assertThat(CamundaVersion.parse(reported)).contains(new CamundaVersion(8, 8));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "dev", "8", "eight.eight", "v8.8.0"})
  void aVersionItCannotReadIsNone(String reported) {
    assertThat(CamundaVersion.parse(reported)).isEmpty();
  }

  @Test
  void aMissingVersionIsNone() {
    assertThat(CamundaVersion.parse(null)).isEmpty();
  }

  @Test
  void releasesOrderByMajorThenMinor() {
    assertThat(new CamundaVersion(8, 6)).isLessThan(new CamundaVersion(8, 8));
    assertThat(new CamundaVersion(8, 10)).isGreaterThan(new CamundaVersion(8, 9));
    assertThat(new CamundaVersion(9, 0)).isGreaterThan(new CamundaVersion(8, 10));
  }

  @Test
  void aReleaseHasWhatItsOwnAndOlderReleasesHave() {
    assertThat(new CamundaVersion(8, 8).isAtLeast(new CamundaVersion(8, 8))).isTrue();
    assertThat(new CamundaVersion(8, 9).isAtLeast(new CamundaVersion(8, 8))).isTrue();
    assertThat(new CamundaVersion(8, 7).isAtLeast(new CamundaVersion(8, 8))).isFalse();
  }

  @Test
  void printsAsMajorDotMinor() {
    assertThat(new CamundaVersion(8, 8)).hasToString("8.8");
  }
}
