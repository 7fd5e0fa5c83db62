package dev.elasticagents.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.MultipartAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The Camunda REST API of the embedded engine: a Spring MVC application of its own on 127.0.0.1,
 * configured only by what is set here (it reads no {@code application.yaml} and leaves the JVM's
 * logging as it finds it, so it can run beside the service in one JVM).
 */
final class RestFront implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final WebServer server;

  private RestFront(ConfigurableApplicationContext context) {
    this.context = context;
    this.server = ((WebServerApplicationContext) context).getWebServer();
  }

  /** Starts the API on 127.0.0.1 at that port, 0 for a free one. */
  static RestFront start(
      int port, EngineCommands commands, Reachability reachability, ReportedVersion version) {
    SpringApplication application = new SpringApplication(Api.class);
    application.setWebApplicationType(WebApplicationType.SERVLET);
    application.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
    application.setRegisterShutdownHook(false);
    application.setLogStartupInfo(false);
    List<ApplicationListener<?>> listeners =
        application.getListeners().stream()
            .filter(listener -> !(listener instanceof LoggingApplicationListener))
            .toList();
    application.setListeners(listeners);
    application.addInitializers(
        context -> {
          context.getBeanFactory().registerSingleton("engineCommands", commands);
          context.getBeanFactory().registerSingleton("reachability", reachability);
          context.getBeanFactory().registerSingleton("reportedVersion", version);
        });
    ConfigurableApplicationContext context =
        application.run(
            "--spring.config.name=embedded-engine-rest",
            "--spring.application.name=embedded-engine-rest",
            "--server.address=127.0.0.1",
            "--server.port=" + port,
            "--spring.jmx.enabled=false",
            "--spring.jackson.deserialization.fail-on-unknown-properties=true",
            "--spring.mvc.problemdetails.enabled=true",
            "--spring.servlet.multipart.max-file-size=10MB",
            "--spring.servlet.multipart.max-request-size=20MB");
    return new RestFront(context);
  }

  /** The port it listens on. */
  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    context.close();
  }

  /**
   * Deliberately no stereotype annotation: a service started in the same JVM scans the test
   * classpath for components and must not find the engine's.
   */
  @ImportAutoConfiguration({
    PropertyPlaceholderAutoConfiguration.class,
    ServletWebServerFactoryAutoConfiguration.class,
    DispatcherServletAutoConfiguration.class,
    WebMvcAutoConfiguration.class,
    ErrorMvcAutoConfiguration.class,
    HttpMessageConvertersAutoConfiguration.class,
    JacksonAutoConfiguration.class,
    MultipartAutoConfiguration.class
  })
  static class Api {

    @Bean
    RouterFunction<ServerResponse> camundaRestApi(
        EngineCommands commands, ReportedVersion version, ObjectMapper json) {
      return new CamundaRestApi(commands, version, json).routes(new GatewayProblems());
    }

    @Bean
    UnavailableFilter unavailableFilter(Reachability reachability, ObjectMapper json) {
      return new UnavailableFilter(reachability, json);
    }
  }
}
