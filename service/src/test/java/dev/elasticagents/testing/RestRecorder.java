package dev.elasticagents.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass-through proxy on 127.0.0.1 in front of the engine's REST API that records every exchange,
 * so tests can see which calls went over REST and what the engine answered. It can also lose job
 * completions: a lost one never reaches the engine and is answered 503, as an overloaded gateway
 * would, so the service's attempts run out and Zeebe redelivers the job. And it can hold job
 * completions until the test forwards or drops them ({@link HeldCompletions}), and job failures
 * until the test lets them pass ({@link HeldFailures}).
 */
public final class RestRecorder implements AutoCloseable {

  private static final Pattern JOB_COMMAND =
      Pattern.compile("/v2/jobs/(\\d+)/(completion|failure)");

  private final WireMockServer proxy;
  private final CompletionLoss loss;

  private RestRecorder(WireMockServer proxy, CompletionLoss loss) {
    this.proxy = proxy;
    this.loss = loss;
  }

  /** Starts a recording proxy in front of {@code target}. */
  public static RestRecorder proxying(URI target) {
    CompletionLoss loss = new CompletionLoss();
    WireMockServer proxy =
        new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(loss));
    proxy.start();
    proxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(target.toString())));
    return new RestRecorder(proxy, loss);
  }

  /** The address clients use instead of the engine's. */
  public URI address() {
    return URI.create(proxy.baseUrl());
  }

  /** Recorded exchanges that match, oldest first. */
  public List<ServeEvent> exchanges(Predicate<ServeEvent> filter) {
    return proxy.getAllServeEvents().reversed().stream().filter(filter).toList();
  }

  /** From now on, loses the completions {@code rule} picks; returns the count of losses so far. */
  public AtomicInteger loseCompletions(CompletionRule rule) {
    loss.rule = rule;
    return loss.lost;
  }

  /**
   * From now on, loses every completion of a job whose body {@code picks}, until the service gave
   * up on that delivery and failed the job; the next delivery's completion passes. Returns the jobs
   * whose first delivery was lost.
   */
  public Set<Long> loseFirstDeliveries(CompletionRule picks) {
    Set<Long> lostJobs = ConcurrentHashMap.newKeySet();
    loss.rule =
        (jobKey, body) -> {
          if (loss.failed.contains(jobKey)
              || !(lostJobs.contains(jobKey) || picks.lose(jobKey, body))) {
            return false;
          }
          lostJobs.add(jobKey);
          return true;
        };
    return lostJobs;
  }

  /** How many completion requests were lost since this proxy started. */
  public int lostRequests() {
    return loss.lost.get();
  }

  /** Whether the service failed this job (through this proxy). */
  public boolean wasFailed(long jobKey) {
    return loss.failed.contains(jobKey);
  }

  /**
   * From now on, holds the first {@code count} completions that {@code picks} (and any further
   * request for those jobs) until the test forwards or drops them.
   */
  public HeldCompletions holdCompletions(int count, CompletionRule picks) {
    HeldCompletions hold = new HeldCompletions(count, picks);
    loss.hold = hold;
    return hold;
  }

  /** From now on, holds every job failure until the test releases the returned hold. */
  public HeldFailures holdFailures() {
    HeldFailures hold = new HeldFailures();
    loss.heldFailures = hold;
    return hold;
  }

  /** Passes every completion, and every failure held, to the engine again. */
  public void stopLosingCompletions() {
    loss.rule = (jobKey, body) -> false;
    loss.heldFailures.release();
  }

  @Override
  public void close() {
    proxy.stop();
  }

  /** Which completions to lose. */
  @FunctionalInterface
  public interface CompletionRule {
    boolean lose(long jobKey, String body);
  }

  private static final class CompletionLoss implements StubRequestFilterV2 {

    private volatile CompletionRule rule = (jobKey, body) -> false;
    private volatile HeldCompletions hold = HeldCompletions.NONE;
    private volatile HeldFailures heldFailures = HeldFailures.NONE;
    private final AtomicInteger lost = new AtomicInteger();
    private final Set<Long> failed = ConcurrentHashMap.newKeySet();

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
      Matcher command = JOB_COMMAND.matcher(request.getUrl());
      if (!command.matches()) {
        return RequestFilterAction.continueWith(request);
      }
      long jobKey = Long.parseLong(command.group(1));
      if (command.group(2).equals("failure")) {
        heldFailures.hold();
        failed.add(jobKey);
      } else if (hold.takes(jobKey, request.getBodyAsString())) {
        return hold.awaitForward()
            ? RequestFilterAction.continueWith(request)
            : unavailable("dropped");
      } else if (rule.lose(jobKey, request.getBodyAsString())) {
        lost.incrementAndGet();
        return unavailable("lost");
      }
      return RequestFilterAction.continueWith(request);
    }

    private static RequestFilterAction unavailable(String how) {
      return RequestFilterAction.stopWith(
          aResponse()
              .withStatus(503)
              .withHeader("Content-Type", "application/problem+json")
              .withBody(
                  "{\"type\":\"about:blank\",\"title\":\"RESOURCE_EXHAUSTED\",\"status\":503,\"detail\":\"%s by the test's fault proxy\"}"
                      .formatted(how))
              .build());
    }

    @Override
    public String getName() {
      return "completion-loss";
    }
  }
}
