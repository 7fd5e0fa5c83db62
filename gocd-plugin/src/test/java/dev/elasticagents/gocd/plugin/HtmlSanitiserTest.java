package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.google.gson.JsonParser;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The status report HTML as GoCD gets it: the allowed markup, everything else inert. */
class HtmlSanitiserTest {

  /**
   * Reports as the service renders them (its StatusReports, values escaped by Spring's HtmlUtils):
   * they go through unchanged.
   */
  private static final String CLUSTER_REPORT =
      "<div class=\"elastic-agents-report\"><h3>Cluster profile k8s-eu</h3><p>At most 4 running and"
          + " 2 starting agents; 1 running now.</p><table><thead><tr><th>Agent</th>"
          + "<th>State</th><th>Job</th><th>Age</th><th>Reason</th></tr></thead><tbody><tr><td>GoCDa</td><td>busy</td><td>up42/1/stage/1/job</td><td>7"
          + " min</td><td></td></tr><tr><td>GoCDb</td><td>terminated</td><td></td><td>2 h 0"
          + " min</td><td>launch failed: &lt;script&gt; &amp; &quot;quoted&quot; &#39;single&#39;"
          + " Z&uuml;rich &eacute;t&eacute;</td></tr></tbody></table></div>";

  private static final String AGENT_REPORT =
      "<div class=\"elastic-agents-report\"><h3>Agent GoCDa</h3><table><thead><tr><th>Agent</th>"
          + "<th>State</th><th>Job</th><th>Age</th><th>Reason</th></tr></thead><tbody><tr>"
          + "<td>GoCDa</td><td>idle</td><td></td><td>30 s</td><td></td></tr></tbody></table>"
          + "<h4>Recent events</h4><ol><li><time>2026-12-02T09:59:30Z</time> reserved for"
          + " k8s</li><li><time>2026-12-02T10:00:00Z</time> idle, kept for reuse</li></ol></div>";

  private static final String PLUGIN_REPORT =
      "<div class=\"elastic-agents-report\"><h3>Elastic agents by cluster profile</h3><table>"
          + "<thead><tr><th>Cluster profile</th><th>pending</th><th>busy</th><th>idle</th>"
          + "<th>terminating</th></tr></thead><tbody><tr><td>k8s</td><td>0</td><td>3</td>"
          + "<td>1</td><td>0</td></tr></tbody></table></div>";

  private static final Pattern TAG = Pattern.compile("<[^>]*>?");
  private static final Pattern ALLOWED_TAG =
      Pattern.compile(
          "</?(div|span|p|h[1-6]|table|caption|thead|tbody|tfoot|tr|th|td|ul|ol|li|dl|dt|dd|code"
              + "|pre|strong|em|b|i|small|time|a|br|hr)"
              + "( (class|title|colspan|rowspan|rel)=\"[^\"<>]*\"| href=\"https?://[^\"<>]*\")*>");

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  @ParameterizedTest
  @ValueSource(
      strings = {
        CLUSTER_REPORT,
        AGENT_REPORT,
        PLUGIN_REPORT,
        "<div class=\"elastic-agents-report\"><p>No agent GoCDgone is known to the"
            + " service.</p></div>",
        "<p class=\"error\">The service could not report</p>",
        "<ul><li><strong>a</strong> <em>b</em> <code>c</code></li></ul><pre>x</pre>",
        "<dl><dt>t</dt><dd><small>d</small></dd></dl><table><tr><td colspan=\"2\""
            + " rowspan=\"3\">x</td></tr></table>",
        "<span title=\"a &amp; b\">x</span><br>"
      })
  void theServicesReportsGoThroughUnchanged(String report) {
    assertThat(HtmlSanitiser.sanitise(report)).isEqualTo(report);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // Script, in every spelling
        "<script>alert(1)</script>|&lt;script&gt;alert(1)&lt;/script&gt;",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>|&lt;SCRIPT"
            + " SRC=//evil.example/x.js&gt;&lt;/SCRIPT&gt;",
        "<scr<script>ipt>alert(1)</script>|&lt;scr&lt;script&gt;ipt&gt;alert(1)&lt;/script&gt;",
        // Event handlers
        "<img src=x onerror=alert(1)>|&lt;img src=x onerror=alert(1)&gt;",
        "<svg onload=alert(1)><circle/></svg>|&lt;svg"
            + " onload=alert(1)&gt;&lt;circle/&gt;&lt;/svg&gt;",
        "<p onclick=\"alert(1)\" class=\"x\">y</p>|<p class=\"x\">y</p>",
        "<div onmouseover=alert(1)>y</div>|<div>y</div>",
        "<td style=\"background:url(javascript:alert(1))\">y</td>|<td>y</td>",
        "<p/onclick=alert(1)>y</p>|<p>y</p>",
        // Links
        "<a href=\"javascript:alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"javascript&#58;alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"&#x6A;avascript:alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"java&Tab;script:alert(1)\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>|<a rel=\"noopener"
            + " noreferrer\">x</a>",
        "<a href=\"//evil.example\">x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=javascript:alert(1)>x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<a href=\"https://gocd.example.com/go/agents?a=1&amp;b=2\">x</a>|<a"
            + " href=\"https://gocd.example.com/go/agents?a=1&amp;b=2\" rel=\"noopener"
            + " noreferrer\">x</a>",
        "<a href='http://example.com/x\"onclick=y'>x</a>|<a rel=\"noopener noreferrer\">x</a>",
        "<p href=\"https://example.com\">x</p>|<p>x</p>",
        // Attributes without quotes, or with quotes that try to end early
        "<span class=a onclick=b>x</span>|<span class=\"a\">x</span>",
        "<span title='a\" onclick=\"b'>x</span>|<span title=\"a&quot; onclick=&quot;b\">x</span>",
        "<span title=\"a>b\">x</span>|<span title=\"a&gt;b\">x</span>",
        "<td colspan=\"2 onclick=x\">y</td>|<td>y</td>",
        // Unclosed and unmatched tags
        "<div><p>x|<div><p>x</p></div>",
        "</div></td>x|x",
        "<p>a</div>b</p>|<p>ab</p>",
        "<div><span>a</div>b|<div><span>a</span></div>b",
        "<p title=\"unterminated>x|&lt;p title=\"unterminated&gt;x",
        "<div|&lt;div",
        "a < b > c|a &lt; b &gt; c",
        "</ div>|&lt;/ div&gt;",
        // Comments and declarations
        "a<!-- <script>alert(1)</script> -->b|ab",
        "a<!--><script>x</script>|a&lt;script&gt;x&lt;/script&gt;",
        "a<!-- never closed <script>x</script>|a",
        "<!DOCTYPE html><?xml version=\"1.0\"?>x|x",
        "<![CDATA[<script>x</script>]]>|x&lt;/script&gt;]]&gt;",
        // Entities
        "&lt;script&gt; &amp; &eacute; &#60; &#x3C;|&lt;script&gt; &amp; &eacute; &#60; &#x3C;",
        "AT&T &; &#; &#xZZ;|AT&amp;T &amp;; &amp;#; &amp;#xZZ;",
        // Other dangerous elements
        "<iframe src=\"https://evil.example\"></iframe>|&lt;iframe"
            + " src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;",
        "<style>body{display:none}</style>|&lt;style&gt;body{display:none}&lt;/style&gt;",
        "<form action=x><input name=y></form>|&lt;form action=x&gt;&lt;input"
            + " name=y&gt;&lt;/form&gt;",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>|&lt;math&gt;&lt;mi"
            + " xlink:href=&quot;javascript:alert(1)&quot;&gt;x&lt;/mi&gt;&lt;/math&gt;",
        "<object data=x></object><embed src=x><base href=x><meta http-equiv=refresh>|&lt;object"
            + " data=x&gt;&lt;/object&gt;&lt;embed src=x&gt;&lt;base href=x&gt;&lt;meta"
            + " http-equiv=refresh&gt;",
        // Template expressions of the page around it
        "<p title=\"{{x}}\">{{constructor.constructor('alert(1)')()}}</p>|<p"
            + " title=\"&#123;{x}}\">&#123;{constructor.constructor('alert(1)')()}}</p>"
      })
  void hostileMarkupBecomesInert(String hostile, String inert) {
    assertThat(HtmlSanitiser.sanitise(hostile)).isEqualTo(inert);
  }

  @Test
  void nothingIsLeftThatCouldRunScript() {
    String[] hostile = {
      "<img src=x onerror=alert(1)>",
      "<svg><script>alert(1)</script></svg>",
      "<a href=\"javascript:alert(1)\">x</a>",
      "<div style=\"x:expression(alert(1))\">",
      "<<script>script>alert(1)<</script>/script>",
      "<p title=\"\"><script>alert(1)</script>\">",
      "<a href=\"https://example.com\" onclick=\"alert(1)\">x</a>"
    };
    for (String html : hostile) {
      String sanitised = HtmlSanitiser.sanitise(html);
      // Every tag left is an allowed one with allowed attributes, every value quoted.
      assertThat(TAG.matcher(sanitised).results().map(MatchResult::group))
          .as(html)
          .allSatisfy(tag -> assertThat(tag).matches(ALLOWED_TAG));
      assertThat(sanitised).as(html).doesNotContainIgnoringCase("javascript:\"");
    }
  }

  @Test
  void deepNestingStopsBeingMarkup() {
    String deep = "<div>".repeat(150);

    String sanitised = HtmlSanitiser.sanitise(deep);

    assertThat(sanitised).startsWith("<div>".repeat(100)).contains("&lt;div&gt;");
    assertThat(sanitised).endsWith("</div>".repeat(100));
  }

  @Test
  void aHostileReportReachesGoCdInert() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/cluster-status-report"))
            .willReturn(
                okJson(
                    GoCd.json(
                        Map.of(
                            "view",
                            "<h3>k8s</h3><img src=x onerror=alert(document.cookie)><a"
                                + " href=\"javascript:alert(1)\">agents</a>")))));
    MockGoServer server = new MockGoServer();

    String view =
        JsonParser.parseString(
                send(
                        server.plugin(),
                        "cluster-status-report",
                        GoCd.clusterStatusReport(service.baseUrl()))
                    .responseBody())
            .getAsJsonObject()
            .get("view")
            .getAsString();

    assertThat(view)
        .isEqualTo(
            "<h3>k8s</h3>&lt;img src=x onerror=alert(document.cookie)&gt;<a"
                + " rel=\"noopener noreferrer\">agents</a>");
  }

  @Test
  void theServicesReportComesThroughThePluginUnchanged() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/agent-status-report"))
            .willReturn(okJson(GoCd.json(Map.of("view", AGENT_REPORT)))));

    String view =
        JsonParser.parseString(
                send(
                        new MockGoServer().plugin(),
                        "agent-status-report",
                        GoCd.agentStatusReport(service.baseUrl()))
                    .responseBody())
            .getAsJsonObject()
            .get("view")
            .getAsString();

    assertThat(view).isEqualTo(AGENT_REPORT);
  }
}
