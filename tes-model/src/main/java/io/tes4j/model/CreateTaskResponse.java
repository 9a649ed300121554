package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to CreateTask ({@code tesCreateTaskResponse}).
 *
 * @param id the id the server assigned to the new task
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CreateTaskResponse(@JsonProperty("id") String id) {
  // A one-component record needs an explicit PROPERTIES creator, or Jackson may read it as a
  // delegating creator and expect a bare string (jackson-databind #2980).
  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public CreateTaskResponse {}
}
