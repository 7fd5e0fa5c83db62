package dev.elasticagents.gocd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/** The endpoint token: how it is configured, accepted and refused, and that it is never shown. */
@ExtendWith(OutputCaptureExtension.class)
class EndpointTokenTest {

  private static final String TOKEN = "a-token-of-at-least-16-characters";

  @Test
  void acceptsOnlyTheConfiguredToken() {
    AuthenticationProvider provider = new GoCdEndpointSecurity().endpointToken(properties(TOKEN));

    assertThat(provider.authenticate(presented(TOKEN)).isAuthenticated()).isTrue();
    assertThatThrownBy(() -> provider.authenticate(presented(TOKEN.toUpperCase())))
        .isInstanceOf(BadCredentialsException.class);
  }

  @Test
  void withoutATokenRefusesEveryRequestAndSaysSoOnce(CapturedOutput output) {
    AuthenticationProvider provider = new GoCdEndpointSecurity().endpointToken(properties(""));

    assertThatThrownBy(() -> provider.authenticate(presented("")))
        .isInstanceOf(BadCredentialsException.class);
    assertThatThrownBy(() -> provider.authenticate(presented("anything-at-all-really")))
        .isInstanceOf(BadCredentialsException.class);
    assertThat(output.getOut())
        .containsOnlyOnce(
            "gocd-endpoint.token is not set: the GoCD endpoint refuses every request");
  }

  @Test
  void refusesATokenShorterThanSixteenCharacters() {
    assertThatThrownBy(() -> properties("short-token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "gocd-endpoint.token must be 16 to 512 printable ASCII characters without spaces, as"
                + " the plugin's cluster profile property service_token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", " ", "\t", "  \n\n"})
  void aConfiguredTokenIsStrippedAsThePresentedOneIs(String whitespace) {
    AuthenticationProvider provider =
        new GoCdEndpointSecurity().endpointToken(properties(whitespace + TOKEN + whitespace));

    assertThat(provider.authenticate(presented(TOKEN)).isAuthenticated()).isTrue();
  }

  @Test
  void aTokenOfOnlyWhitespaceIsNoToken() {
    assertThat(properties(" \n").enabled()).isFalse();
  }

  /** The tokens the plugin's cluster profile form refuses, which it could never present. */
  @ParameterizedTest
  @MethodSource("tokensThePluginRefuses")
  void refusesATokenThePluginWouldRefuseWithoutShowingIt(String token) {
    assertThatThrownBy(() -> properties(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("gocd-endpoint.token must")
        .hasMessageContaining("service_token")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.strip()));
  }

  static Stream<String> tokensThePluginRefuses() {
    return Stream.of(
        "0123456789abcde",
        "t".repeat(513),
        "a token with spaces inside it",
        "a-token-with-a-tab\tinside-it",
        "a-token-with-a-newline\ninside-it",
        "a-token-beyond-ascii-\u00e9\u00e9\u00e9");
  }

  @Test
  void theServiceDoesNotStartWithATokenThePluginWouldRefuseNorShowsIt(CapturedOutput output) {
    String token = "a configured token with spaces inside";
    SpringApplication application = new SpringApplication(BindsTheToken.class);
    application.setWebApplicationType(WebApplicationType.NONE);

    assertThatThrownBy(() -> application.run("--gocd-endpoint.token=" + token))
        .hasRootCauseMessage(
            "gocd-endpoint.token must be 16 to 512 printable ASCII characters without spaces, as"
                + " the plugin's cluster profile property service_token");
    assertThat(output.getAll())
        .contains("gocd-endpoint.token must be 16 to 512 printable ASCII characters")
        .doesNotContain(token);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(GoCdEndpointProperties.class)
  static class BindsTheToken {}

  @ParameterizedTest
  @ValueSource(ints = {16, 512})
  void acceptsEveryLengthThePluginAccepts(int length) {
    String token = "t".repeat(length);
    AuthenticationProvider provider = new GoCdEndpointSecurity().endpointToken(properties(token));

    assertThat(provider.authenticate(presented(token)).isAuthenticated()).isTrue();
  }

  @Test
  void neverShowsTheTokenWhenPrinted() {
    assertThat(properties(TOKEN).toString()).doesNotContain(TOKEN).contains("token=(set)");
  }

  private static GoCdEndpointProperties properties(String token) {
    return new GoCdEndpointProperties(token, Duration.ofMinutes(10), Duration.ofMinutes(5));
  }

  private static PreAuthenticatedAuthenticationToken presented(String token) {
    return new PreAuthenticatedAuthenticationToken(GoCdEndpointSecurity.PRINCIPAL, token);
  }
}
