package dev.elasticagents.gocd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
        .hasMessage("gocd-endpoint.token must be at least 16 characters");
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
