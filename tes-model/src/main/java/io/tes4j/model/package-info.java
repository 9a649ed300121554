/**
 * TES 1.1 as immutable Java records: {@link io.tes4j.model.Task} and its parts, the service info,
 * the list and create responses, {@link io.tes4j.model.State}, {@link io.tes4j.model.View} and
 * {@link io.tes4j.model.FileType}; {@link io.tes4j.model.TesJson}, the one JSON configuration; and
 * {@link io.tes4j.model.TaskValidator}, which lists every problem of a task with its JSON path.
 */
package io.tes4j.model;
