package dev.elasticagents.deployment;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One deployed resource: a BPMN model file, with the processes it defines and the oldest Camunda
 * version that can run it as intended.
 *
 * @param requirement empty when any supported cluster runs the model
 */
public record Model(
    String filename, byte[] content, List<String> processIds, Optional<Requirement> requirement) {

  private static final String BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  private static final String ZEEBE = "http://camunda.org/schema/zeebe/1.0";

  /**
   * Model elements that need a newer cluster than the oldest one this service supports. An older
   * cluster rejects them (8.6 knows no completing listeners) and with them every model deployed
   * alongside. Camunda 8.7 already had assigning and completing listeners, but the listener
   * handlers are built and tested against the 8.8 listener API: the event type and user task on
   * activated jobs, and results with a type and a denied reason.
   */
  private static final Map<QName, Requirement> FEATURES =
      Map.of(
          new QName(ZEEBE, "taskListener"),
          new Requirement(new CamundaVersion(8, 8), "user task listeners"));

  /** A feature of a model and the oldest Camunda version that has it. */
  public record Requirement(CamundaVersion minimum, String feature) {}

  public Model {
    content = content.clone();
    processIds = List.copyOf(processIds);
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /**
   * Reads the processes and the features a model uses.
   *
   * @throws IllegalArgumentException when the file is not well-formed XML
   */
  public static Model read(String filename, byte[] content) {
    if (!filename.endsWith(".bpmn")) {
      // A form or a decision: deployed as it is, runnable wherever its model is.
      return new Model(filename, content, List.of(), Optional.empty());
    }
    List<String> processIds = new ArrayList<>();
    List<Requirement> requirements = new ArrayList<>();
    try {
      XMLStreamReader xml = factory().createXMLStreamReader(new ByteArrayInputStream(content));
      try {
        while (xml.hasNext()) {
          if (xml.next() != XMLStreamConstants.START_ELEMENT) {
            continue;
          }
          QName element = xml.getName();
          if (element.equals(new QName(BPMN, "process"))) {
            processIds.add(xml.getAttributeValue(null, "id"));
          }
          Optional.ofNullable(FEATURES.get(element)).ifPresent(requirements::add);
        }
      } finally {
        xml.close();
      }
    } catch (XMLStreamException e) {
      throw new IllegalArgumentException("Model " + filename + " is not well-formed XML", e);
    }
    return new Model(
        filename,
        content,
        processIds,
        requirements.stream().max(Comparator.comparing(Requirement::minimum)));
  }

  /** Whether a cluster of that version runs this model as intended. */
  public boolean runsOn(CamundaVersion cluster) {
    return requirement.map(required -> cluster.isAtLeast(required.minimum())).orElse(true);
  }

  private static XMLInputFactory factory() {
    XMLInputFactory factory = XMLInputFactory.newFactory();
    // Models are our own resources, but a parser that resolves nothing is the safe default.
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    return factory;
  }
}
