package dev.stratus.state.model;

import java.util.List;

/**
 * The MQTT 5 properties of an application message that travel with it and are forwarded unchanged. All fields
 * are optional (null, or an empty list). MQTT 3.1.1 messages carry {@link #NONE}.
 */
public record MessageProperties(
        Integer payloadFormatIndicator,
        String contentType,
        String responseTopic,
        byte[] correlationData,
        List<UserProperty> userProperties) {

    public static final MessageProperties NONE = new MessageProperties(null, null, null, null, List.of());

    public MessageProperties {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties p && java.util.Objects.equals(payloadFormatIndicator, p.payloadFormatIndicator)
                && java.util.Objects.equals(contentType, p.contentType)
                && java.util.Objects.equals(responseTopic, p.responseTopic)
                && java.util.Arrays.equals(correlationData, p.correlationData)
                && userProperties.equals(p.userProperties);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(payloadFormatIndicator, contentType, responseTopic,
                java.util.Arrays.hashCode(correlationData), userProperties);
    }

    public boolean isEmpty() {
        return payloadFormatIndicator == null && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }

    /** A user property: a UTF-8 string pair; names may repeat and order is kept. */
    public record UserProperty(String name, String value) {
    }
}
