package dev.elasticagents.gocd.endpoint;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Only the GoCD plugin, holding the endpoint token, reaches {@code /gocd/**}: a request without the
 * token, or with another, gets 401 before any handler runs. The rest of the service (actuator) is
 * left as it was.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class GoCdEndpointSecurity {

  private static final Logger log = LoggerFactory.getLogger(GoCdEndpointSecurity.class);
  private static final String BEARER = "Bearer ";
  static final String PRINCIPAL = "gocd-plugin";

  @Bean
  @Order(1)
  SecurityFilterChain gocdEndpoint(HttpSecurity http, AuthenticationProvider endpointToken)
      throws Exception {
    HttpStatusEntryPoint unauthorized = new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED);
    AuthenticationFilter bearer =
        new AuthenticationFilter(
            new ProviderManager(endpointToken), GoCdEndpointSecurity::bearerToken);
    bearer.setSuccessHandler((request, response, authentication) -> {});
    bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(unauthorized));
    return http.securityMatcher("/gocd/**")
        .csrf(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(
            sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .addFilterAt(bearer, BasicAuthenticationFilter.class)
        .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
        .exceptionHandling(
            errors ->
                errors.authenticationEntryPoint(
                    (request, response, e) -> {
                      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
                      unauthorized.commence(request, response, e);
                    }))
        .build();
  }

  /** Everything else keeps its own rules: the actuator's endpoints decide what they show. */
  @Bean
  @Order(2)
  SecurityFilterChain service(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(
            sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .build();
  }

  /**
   * Accepts the configured token only, compared in constant time: both sides are hashed first, so
   * neither the content nor the length of the token shows in the time a refusal takes.
   */
  @Bean
  AuthenticationProvider endpointToken(GoCdEndpointProperties properties) {
    if (!properties.enabled()) {
      log.warn("gocd-endpoint.token is not set: the GoCD endpoint refuses every request");
    }
    byte[] expected = digest(properties.token());
    return new AuthenticationProvider() {
      @Override
      public Authentication authenticate(Authentication authentication) {
        String presented = String.valueOf(authentication.getCredentials());
        if (!properties.enabled() || !MessageDigest.isEqual(expected, digest(presented))) {
          throw new BadCredentialsException("Wrong GoCD endpoint token");
        }
        return new PreAuthenticatedAuthenticationToken(
            PRINCIPAL, null, AuthorityUtils.NO_AUTHORITIES);
      }

      @Override
      public boolean supports(Class<?> authentication) {
        return PreAuthenticatedAuthenticationToken.class.isAssignableFrom(authentication);
      }
    };
  }

  /** The bearer token of a request; null (no authentication attempted) when it has none. */
  private static Authentication bearerToken(HttpServletRequest request) {
    List<String> headers =
        java.util.Collections.list(request.getHeaders(HttpHeaders.AUTHORIZATION));
    if (headers.size() != 1
        || !headers.getFirst().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return new PreAuthenticatedAuthenticationToken(
        PRINCIPAL, headers.getFirst().substring(BEARER.length()).strip());
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }
}
