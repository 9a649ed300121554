/**
 * The API every tes4j client and engine implements: {@link io.tes4j.api.TesClient} (start with
 * {@link io.tes4j.api.TesClient#connect(String)}), its asynchronous view
 * {@link io.tes4j.api.TesAsyncClient}, {@link io.tes4j.api.ListTasksRequest}, and the unchecked
 * exception tree rooted at {@link io.tes4j.api.TesException}.
 */
package io.tes4j.api;
