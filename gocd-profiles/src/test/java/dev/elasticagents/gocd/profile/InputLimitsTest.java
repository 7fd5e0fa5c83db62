package dev.elasticagents.gocd.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InputLimitsTest {

  @Test
  void limitsAreThoseTheServiceAndThePluginAgreeOn() {
    assertThat(InputLimits.MAX_VALUE_LENGTH).isEqualTo(4096);
    assertThat(InputLimits.MAX_PROPERTIES).isEqualTo(64);
    assertThat(InputLimits.MAX_BODY_BYTES).isEqualTo(262_144);
  }

  @Test
  void plainTextHasNoControlCharacters() {
    assertThat(InputLimits.hasControlCharacters("gocd/gocd-agent:v25.3.0 with spaces")).isFalse();
  }

  @Test
  void lettersBeyondAsciiAreNotControlCharacters() {
    assertThat(InputLimits.hasControlCharacters("Zürich 東京")).isFalse();
  }

  @Test
  void noValueHasNoControlCharacters() {
    assertThat(InputLimits.hasControlCharacters(null)).isFalse();
    assertThat(InputLimits.hasControlCharacters("")).isFalse();
  }

  @Test
  void lineBreaksAreControlCharacters() {
    assertThat(InputLimits.hasControlCharacters("a\nb")).isTrue();
    assertThat(InputLimits.hasControlCharacters("a\rb")).isTrue();
  }

  @Test
  void nulTabEscapeAndDeleteAreControlCharacters() {
    assertThat(InputLimits.hasControlCharacters("a\u0000")).isTrue();
    assertThat(InputLimits.hasControlCharacters("a\tb")).isTrue();
    assertThat(InputLimits.hasControlCharacters("\u001b[31m")).isTrue();
    assertThat(InputLimits.hasControlCharacters("a\u007f")).isTrue();
  }
}
