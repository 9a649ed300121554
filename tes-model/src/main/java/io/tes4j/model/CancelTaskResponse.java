package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The answer to CancelTask ({@code tesCancelTaskResponse}): an empty JSON object. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CancelTaskResponse() {}
