/** The report a load-generation run leaves behind: report.json, latency.hlog and a self-contained report.html, plus the live progress line. */
package io.faultfabric.loadgen.report;
