package io.tes4j.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClient;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import io.tes4j.model.View;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tes4j list}: tasks, one page or all of them, as JSON. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List tasks as JSON.",
      "Without --all: one page, as the server sent it: {\"tasks\": [...], \"next_page_token\": ...};"
          + " pass the token back with --page-token for the next page.",
      "With --all: every page, written as they arrive: {\"tasks\": [...]}. If the server fails"
          + " midway, the output stops there and the exit code says why.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the server refused the request (e.g. a bad page token)",
      "2:usage error (bad --state, --view, --page-size or --tag)",
      "3:server unreachable, timed out, or server error",
      "5:authentication refused",
    })
final class ListCommand extends RemoteCommand {
  /**
   * Made on first use: every run of tes4j builds this command, and a mapper takes a noticeable
   * part of a short run's start-up (tes4j cp never needs one).
   */
  private static final class Json {
    static final ObjectMapper MAPPER = TesJson.newMapper();

    private Json() {}
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description = "Only tasks in this state: ${COMPLETION-CANDIDATES}.")
  private State state;

  @Option(
      names = "--name-prefix",
      paramLabel = "PREFIX",
      description = "Only tasks whose name starts with PREFIX.")
  private String namePrefix;

  @Option(
      names = "--tag",
      paramLabel = "KEY[=VALUE]",
      description =
          "Only tasks with this tag; repeatable, every tag must match. KEY alone (or KEY=) matches"
              + " any value of KEY.")
  private List<String> tags = new ArrayList<>();

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      defaultValue = "MINIMAL",
      description =
          "How much of each task: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE} (id and"
              + " state).")
  private View view;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      description = "Tasks per page, 1 to " + ListTasksRequest.MAX_PAGE_SIZE + ". Default: the server's.")
  private Integer pageSize;

  @Option(
      names = "--page-token",
      paramLabel = "TOKEN",
      description = "Start at this page (the next_page_token of the previous one).")
  private String pageToken;

  @Option(names = "--all", description = "Follow next_page_token through every page.")
  private boolean all;

  private ListTasksRequest request;

  ListCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int prepare() {
    ListTasksRequest.Builder b =
        ListTasksRequest.builder()
            .state(state)
            .namePrefix(namePrefix)
            .view(view)
            .pageToken(pageToken);
    for (String tag : tags) {
      int eq = tag.indexOf('=');
      String key = eq < 0 ? tag : tag.substring(0, eq);
      if (key.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "Invalid value for option '--tag': '" + tag + "' has no key (use KEY=VALUE or KEY)");
      }
      b.tag(key, eq < 0 ? "" : tag.substring(eq + 1));
    }
    if (pageSize != null
        && (pageSize < 1 || pageSize > ListTasksRequest.MAX_PAGE_SIZE)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--page-size': must be between 1 and "
              + ListTasksRequest.MAX_PAGE_SIZE
              + ", was "
              + pageSize);
    }
    request = b.pageSize(pageSize).build();
    return ExitCodes.OK;
  }

  @Override
  int run(TesClient client) {
    if (!all) {
      ctx.out().println(TesJson.writePretty(client.listTasks(request)));
      return ExitCodes.OK;
    }
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(new PrintStreamWriter(ctx.out()));
        Stream<Task> stream = client.streamTasks(request)) {
      g.useDefaultPrettyPrinter();
      // When the server fails midway, leave the document visibly unfinished rather than close it.
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
      g.writeStartObject();
      g.writeFieldName("tasks");
      g.writeStartArray();
      g.flush();
      Iterator<Task> tasks = stream.iterator();
      while (tasks.hasNext()) {
        Json.MAPPER.writeValue(g, tasks.next()); // flushes after each task: it streams
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to standard output", e);
    }
    ctx.out().println();
    return ExitCodes.OK;
  }
}
