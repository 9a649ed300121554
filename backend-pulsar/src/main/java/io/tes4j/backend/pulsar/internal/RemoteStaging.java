package io.tes4j.backend.pulsar.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Task;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which of a task's inputs Pulsar stages itself ({@code staging=pulsar}, PULSAR.md §6), and which
 * this machine fetches and uploads. Pulsar takes:
 *
 * <ul>
 *   <li>each {@code content} input of up to {@value #MAX_MESSAGE_BYTES} bytes, as a {@code message}
 *       action, up to {@value #MAX_MESSAGES_BYTES} bytes in all: the text travels in the launch
 *       request, which saves an upload request per input. Larger ones are uploaded: over REST the
 *       launch request carries everything in its URL, which front-ends such as nginx cut short;
 *   <li>every {@code http}/{@code https} input of type FILE (or of no type, with a URL not ending in
 *       {@code /}), as a {@code remote_transfer} action: Pulsar downloads it, and the job stays
 *       {@code preprocessing} until it has. Only under a permissive transfer policy: Pulsar follows
 *       redirects and resolves names itself, where the policy cannot be checked, so under {@code
 *       tes4j serve}'s policy these still pass through this machine, which checks every hop.
 * </ul>
 *
 * Directories, other schemes ({@code s3}, {@code ftp}, {@code file}) and volumes stay with this
 * machine: Pulsar has no action that maps a TES directory or reaches them. Each action names its
 * file as the uploads do, by its container path without the leading {@code /}, and carries the
 * {@code path} key, without which Pulsar's {@code from_dict} fails.
 *
 * @param engineTask the task with only the inputs this machine stages
 * @param remoteStaging Pulsar's {@code remote_staging} object, or null when Pulsar stages nothing
 */
record RemoteStaging(Task engineTask, ObjectNode remoteStaging) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The largest content input sent in the launch request. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024;
  /** The most content sent in the launch request, all inputs together. */
  static final int MAX_MESSAGES_BYTES = 64 * 1024;

  /** Nothing by Pulsar: {@code staging=engine}. */
  static RemoteStaging none(Task task) {
    return new RemoteStaging(task, null);
  }

  /** The split of {@code task}'s inputs, under {@code policy}. */
  static RemoteStaging plan(Task task, TransferPolicy policy) {
    List<Input> engine = new ArrayList<>();
    ArrayNode setup = JSON.createArrayNode();
    int messageBytes = 0;
    for (Input input : task.inputs()) {
      String name = Stager.normalize(input.path()).substring(1);
      int size = input.content() == null ? 0 : input.content().getBytes(StandardCharsets.UTF_8).length;
      if (input.content() != null && size <= MAX_MESSAGE_BYTES && messageBytes + size <= MAX_MESSAGES_BYTES) {
        messageBytes += size;
        ObjectNode action = JSON.createObjectNode();
        action.put("action_type", "message");
        action.put("contents", input.content());
        action.put("path", input.path());
        setup.add(entry(name, action));
      } else if (byPulsar(input, policy)) {
        ObjectNode action = JSON.createObjectNode();
        action.put("action_type", "remote_transfer");
        action.put("url", input.url());
        action.put("path", input.path());
        setup.add(entry(name, action));
      } else {
        engine.add(input);
      }
    }
    if (setup.isEmpty()) {
      return none(task);
    }
    ObjectNode remoteStaging = JSON.createObjectNode();
    remoteStaging.set("setup", setup);
    return new RemoteStaging(task.toBuilder().inputs(engine).build(), remoteStaging);
  }

  private static boolean byPulsar(Input input, TransferPolicy policy) {
    if (input.content() != null || input.url() == null || input.type() == FileType.DIRECTORY || !policy.isPermissive()) {
      return false;
    }
    StorageUrl url;
    try {
      url = StorageUrl.parse(input.url());
    } catch (RuntimeException e) {
      return false; // this machine's stager names what is wrong with it
    }
    String scheme = url.scheme().toLowerCase(Locale.ROOT);
    return (scheme.equals("http") || scheme.equals("https")) && (input.type() == FileType.FILE || !url.isDirectoryLike());
  }

  /** How many inputs Pulsar stages; never their contents or URLs, which may hold secrets. */
  @Override
  public String toString() {
    return "RemoteStaging[pulsarInputs=" + (remoteStaging == null ? 0 : remoteStaging.get("setup").size())
        + ", engineInputs=" + engineTask.inputs().size() + "]";
  }

  private static ObjectNode entry(String name, ObjectNode action) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("name", name);
    entry.put("type", "input");
    entry.set("action", action);
    return entry;
  }
}
