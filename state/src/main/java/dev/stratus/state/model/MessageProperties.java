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

    public boolean isEmpty() {
        return payloadFormatIndicator == null && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }

    /** A user property: a UTF-8 string pair; names may repeat and order is kept. */
    public record UserProperty(String name, String value) {
    }
}
