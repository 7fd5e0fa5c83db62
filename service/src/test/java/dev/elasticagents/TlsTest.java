package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service serves HTTPS from a Spring Boot SSL bundle, so that the GoCD plugin's bearer token
 * and the auto-register keys it forwards never cross the network in clear text.
 */
class TlsTest {

  private static final String PASSWORD = "keystore-password-for-tests";

  @TempDir static Path keys;
  private static ConfigurableApplicationContext service;
  private static int port;
  private static SSLContext trustingTheServer;

  @BeforeAll
  static void start() throws Exception {
    Path keystore = keys.resolve("service.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "service",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=IP:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD);
    service =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .run(
                "--server.port=0",
                "--management.server.port=0",
                "--server.address=127.0.0.1",
                "--server.ssl.bundle=gocd",
                "--spring.ssl.bundle.jks.gocd.keystore.location=file:" + keystore,
                "--spring.ssl.bundle.jks.gocd.keystore.password=" + PASSWORD,
                "--spring.ssl.bundle.jks.gocd.keystore.type=PKCS12",
                "--spring.datasource.url=jdbc:h2:mem:tls;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "--job-workers.enabled=false",
                "--deployment.enabled=false",
                "--camunda.client.grpc-address=http://127.0.0.1:9",
                "--camunda.client.rest-address=http://127.0.0.1:9",
                "--elastic-agents.local.work-directory=target/tls-agents");
    port = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
    trustingTheServer = trusting(keystore);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void theGoCdEndpointAnswersOverHttpsWithTheBundlesCertificate() throws Exception {
    HttpClient https = HttpClient.newBuilder().sslContext(trustingTheServer).build();

    HttpResponse<String> withoutToken =
        https.send(
            HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/gocd/v5/should-assign-work"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(withoutToken.statusCode()).isEqualTo(401);
    assertThat(withoutToken.sslSession()).isPresent();
  }

  @Test
  void answersNothingButAnErrorInClearText() throws Exception {
    HttpClient http = HttpClient.newHttpClient();

    Throwable refused =
        catchThrowable(
            () -> {
              HttpResponse<String> answer =
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:" + port + "/gocd/v5/should-assign-work"))
                          .timeout(Duration.ofSeconds(20))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(answer.statusCode()).isEqualTo(400);
            });

    assertThat(refused).isNull();
  }

  /** A client context that trusts the certificate in the keystore, and nothing else. */
  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      server.load(in, PASSWORD.toCharArray());
    }
    Certificate certificate = server.getCertificate("service");
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry("service", certificate);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static void keytool(String... arguments) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
