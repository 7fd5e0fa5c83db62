package dev.elasticagents.zeebe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.List;
import java.util.function.Predicate;

/**
 * A pass-through proxy on 127.0.0.1 in front of the broker's REST gateway that records every
 * exchange, so tests can see which calls went over REST and what the broker answered.
 */
public final class RestRecorder implements AutoCloseable {

  private final WireMockServer proxy;

  private RestRecorder(WireMockServer proxy) {
    this.proxy = proxy;
  }

  /** Starts a recording proxy in front of {@code target}. */
  public static RestRecorder proxying(URI target) {
    WireMockServer proxy =
        new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    proxy.start();
    proxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(target.toString())));
    return new RestRecorder(proxy);
  }

  /** The address clients use instead of the broker's. */
  public URI address() {
    return URI.create(proxy.baseUrl());
  }

  /** Recorded exchanges that match, oldest first. */
  public List<ServeEvent> exchanges(Predicate<ServeEvent> filter) {
    return proxy.getAllServeEvents().reversed().stream().filter(filter).toList();
  }

  @Override
  public void close() {
    proxy.stop();
  }
}
