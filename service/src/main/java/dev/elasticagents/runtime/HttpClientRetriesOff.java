package dev.elasticagents.runtime;

import java.io.IOException;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * Turns off the automatic re-execution of the Camunda client's HTTP layer, so that the problem
 * policy ({@link OutcomeSender}) is the only retry layer. Left on, Apache HttpClient sends a
 * request answered 429 or 503 once more by itself a second later: under back-pressure every attempt
 * of the policy becomes two requests and a second's wait, twice the load exactly when the cluster
 * asks for less, and the policy's attempt counts and back-offs are not what it claims.
 *
 * <p>Why a chain handler that spends the retry budget rather than {@code
 * HttpAsyncClientBuilder.disableAutomaticRetries()}: the Camunda client 8.8 builds its HTTP client
 * privately ({@code HttpClientFactory}) and offers no hook into that builder, nor a retry setting.
 * Its one supported hook into the HTTP layer is exec chain handlers ({@code
 * CamundaClientBuilder.withChainHandlers}; the Spring starter passes it every {@link
 * AsyncExecChainHandler} bean), which run beneath the client's retry step. From there this handler
 * sets each exchange's execution count past any retry budget: the retry step asks its strategy with
 * that count, and a strategy retries no exchange that has spent its budget, whatever the status or
 * I/O error. Building the HTTP client ourselves instead would copy the factory's TLS, credentials,
 * timeout and keep-alive settings and drift from them with every upgrade; this keeps them all.
 * {@code OneRetryLayerOnEngineTest} counts the requests under 503s and fails should a client
 * upgrade get past this.
 */
final class HttpClientRetriesOff implements AsyncExecChainHandler {

  // Past any retry budget by far, and far from overflowing should a retry step still count on.
  private static final int SPENT = Integer.MAX_VALUE / 2;

  @Override
  public void execute(
      HttpRequest request,
      AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    scope.execCount.set(SPENT);
    chain.proceed(request, entityProducer, scope, callback);
  }
}
