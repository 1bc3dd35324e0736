#include "driver/worker.h"

#include <cstdlib>
#include <fstream>

#include <sys/resource.h>

#include <fmt/format.h>

namespace warpsynth {

namespace {
constexpr size_t kStderrTailLines = 8;
// What one request may add to warpsynth.log: a file printing 64 MB at import grew the log by as
// much (issue 13). A kernel's own lines (module loads, warnings) are a few hundred bytes.
constexpr std::uint64_t kLogBytesPerRequest = 1 << 20;
}

std::string failure_stage(CallOutcome::Kind kind) {
  switch (kind) {
    case CallOutcome::Kind::kTimeout: return "timeout";
    case CallOutcome::Kind::kCrashed: return "crash";
    case CallOutcome::Kind::kGarbled: return "protocol";
    default: return "worker";
  }
}

const std::vector<std::string>& worker_environment_allow_list() {
  static const std::vector<std::string> allow = {
      "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR", "TEMP", "TMP",
      "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "XDG_CACHE_HOME",
      "CUDA_*", "NVIDIA_*", "NVCC_*", "WARP_*", "WARPSYNTH_*", "OMP_NUM_THREADS", "CI",
  };
  return allow;
}

Worker::Worker(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
               std::size_t max_reply_bytes)
    : command_(std::move(command)), log_(log), startup_timeout_(startup_timeout), max_reply_bytes_(max_reply_bytes) {}

Worker::~Worker() { shutdown(); }

void Worker::launch() {
  if (process_ && process_->running()) return;
  process_.reset();
  ready_.reset();
  stderr_tail_.clear();
  if (starts_++ > 0) ++restarts_;

  SpawnOptions options;
  options.argv = {command_.python, "-u", "-m", "warpsynth_worker"};
  options.die_with_parent = true;  // no worker outlives the driver, even after kill -9
  // The code `extract` imports sees only what Python, Warp and its compilers need (docs/security.md):
  // a secret in the driver's environment is not in a worker's (issue 13).
  options.env_allow = worker_environment_allow_list();
  // The worker's package first; the user's own path after it, so their packages import as usual.
  const char* user_path = std::getenv("PYTHONPATH");
  options.env_overrides["PYTHONPATH"] =
      command_.python_path + (user_path && *user_path ? std::string(":") + user_path : std::string());
  options.env_overrides["PYTHONDONTWRITEBYTECODE"] = "1";
  // Warp emits some statements in the order of a Python set of names (the copies of loop-carried
  // variables), which string hashing randomizes per process: fixed, so that every worker emits the
  // same code (seen: --jobs 1 and --jobs 2 differing in 3 of newton's 2,005 units).
  options.env_overrides["PYTHONHASHSEED"] = "0";
  for (const auto& [name, value] : environment_) options.env_overrides[name] = value;
  if (limits_.memory_bytes > 0) options.limits.emplace_back(RLIMIT_DATA, limits_.memory_bytes);
  if (limits_.cpu_seconds_per_request > 0) {
    options.env_overrides["WARPSYNTH_CPU_LIMIT_S"] = fmt::format("{}", limits_.cpu_seconds_per_request);
  }
  try {
    process_ = std::make_unique<Subprocess>(options);
  } catch (const std::exception& e) {
    throw WorkerStartError(std::string("cannot start the worker: ") + e.what());
  }
  launched_at_ = Subprocess::Clock::now();
  pid_t pid = process_->pid();
  process_->set_stderr_sink([this, pid](std::string_view text) {
    logged_bytes_ += text.size() + 1;
    if (logged_bytes_ <= kLogBytesPerRequest) {
      log_.line("[worker " + std::to_string(pid) + "] " + std::string(text));
    } else if (!log_capped_) {
      log_capped_ = true;
      log_.line("[worker " + std::to_string(pid) + "] (more output on this request left out of the log: over " +
                std::to_string(kLogBytesPerRequest >> 20) + " MiB)");
    }
    stderr_tail_.emplace_back(text);
    ++stderr_lines_;
    if (stderr_tail_.size() > kStderrTailLines) stderr_tail_.pop_front();
  });
}

const protocol::ReadyMessage& Worker::ensure_started() {
  if (process_ && ready_ && process_->running()) return *ready_;
  if (!process_ || ready_) launch();  // none yet, or the one that was ready has gone
  pid_t pid = process_->pid();

  std::string line;
  auto status = process_->read_line(line, launched_at_ + startup_timeout_);
  if (status != Subprocess::ReadStatus::kLine) {
    std::string why = status == Subprocess::ReadStatus::kTimeout ? "did not get ready in time" : "exited at start";
    process_->kill();
    throw WorkerStartError("the worker (" + command_.python + " -m warpsynth_worker) " + why + ", " +
                           process_->exit_description() + recent_stderr());
  }
  try {
    ready_ = protocol::parse_ready(line);
  } catch (const protocol::ProtocolError& e) {
    process_->kill();
    throw WorkerStartError(std::string("the worker's first message is wrong: ") + e.what());
  }
  log_.line("[driver] worker " + std::to_string(pid) + " ready: warp " + ready_->warp_version + ", worker " +
            ready_->worker_version);
  if (!run_setup()) return ensure_started();  // a fresh process, without set-up
  return *ready_;
}

bool Worker::run_setup() {
  if (!setup_ || setup_->request_line.empty() || setup_->failed) return true;
  pid_t pid = process_->pid();
  CallOutcome outcome = call(0, setup_->request_line, setup_->timeout);  // ready: call() starts nothing
  if (outcome.kind == CallOutcome::Kind::kOk) {
    log_.line("[driver] worker " + std::to_string(pid) + " set up: " + outcome.result.dump());
    return true;
  }
  std::string why = outcome.kind == CallOutcome::Kind::kTimeout
                        ? fmt::format("no reply in {:.1f} s", setup_->timeout.count() / 1000.0)
                        : outcome.detail;
  setup_->failed = true;
  log_.line("[driver] worker " + std::to_string(pid) + " set-up failed (" + why + "); workers go on without it");
  kill_after_failure();
  process_.reset();
  ready_.reset();
  return false;
}

std::string Worker::recent_stderr() const {
  if (stderr_tail_.empty()) return "";
  std::string text = "; its last output:";
  for (const auto& l : stderr_tail_) text += "\n    " + l;
  return text;
}

void Worker::kill_after_failure() {
  if (process_) process_->kill();
}

void Worker::sample_rss() {
  if (!process_ || !process_->running()) return;
  std::ifstream status("/proc/" + std::to_string(process_->pid()) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      long kb = 0;
      status >> kb;
      peak_rss_kb_ = std::max(peak_rss_kb_, kb);
      return;
    }
  }
}

CallOutcome Worker::call(std::int64_t id, const std::string& request_line, std::chrono::milliseconds timeout) {
  ensure_started();
  const std::uint64_t lines_before = stderr_lines_;
  logged_bytes_ = 0;
  log_capped_ = false;
  CallOutcome outcome;
  if (!process_->write_all(request_line)) {
    kill_after_failure();
    outcome.kind = CallOutcome::Kind::kCrashed;
    outcome.detail = "worker closed its input (" + process_->exit_description() + ")";
    return outcome;
  }
  std::string line;
  auto status = process_->read_line(line, Subprocess::Clock::now() + timeout, max_reply_bytes_);
  if (status == Subprocess::ReadStatus::kTooLong) {
    kill_after_failure();
    outcome.kind = CallOutcome::Kind::kGarbled;
    outcome.detail = "reply longer than " + std::to_string(max_reply_bytes_ >> 20) + " MiB; worker stopped";
    return outcome;
  }
  if (status == Subprocess::ReadStatus::kTimeout) {
    kill_after_failure();
    outcome.kind = CallOutcome::Kind::kTimeout;
    outcome.detail = "timed out after " + std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
    return outcome;
  }
  if (status == Subprocess::ReadStatus::kEof) {
    kill_after_failure();
    outcome.kind = CallOutcome::Kind::kCrashed;
    // Only what the worker printed while on this request: the line before it was Warp's start-up
    // banner, which named no cause (issue 13: a file calling os._exit(1) at import).
    const auto during = static_cast<std::size_t>(std::min<std::uint64_t>(stderr_lines_ - lines_before, stderr_tail_.size()));
    std::string last = during == 0 ? ", printing nothing while on this request" : ": " + stderr_tail_.back();
    std::string exit = process_->exit_description();
    if (limits_.cpu_seconds_per_request > 0 && exit.find("SIGXCPU") != std::string::npos) {
      exit += fmt::format(", its limit of {} s of CPU time per request", limits_.cpu_seconds_per_request);
    }
    outcome.detail = "worker died (" + exit + ")" + last;
    return outcome;
  }
  try {
    protocol::Reply reply = protocol::parse_reply(line);
    if (reply.id != id) throw protocol::ProtocolError("reply to request " + std::to_string(reply.id) +
                                                      " while waiting for " + std::to_string(id));
    sample_rss();
    if (!reply.restart.empty()) {
      // The request's code changed what later requests rely on: they get a fresh process.
      std::string what;
      for (const auto& name : reply.restart) what += (what.empty() ? "" : ", ") + name;
      log_.line("[driver] worker " + std::to_string(process_->pid()) +
                " replaced: the code of the last request changed its interpreter (" + what + ")");
      shutdown();
    }
    if (reply.ok) {
      outcome.result = std::move(reply.result);
    } else {
      outcome.kind = CallOutcome::Kind::kRequestError;
      outcome.detail = reply.error;
    }
  } catch (const protocol::ProtocolError& e) {
    kill_after_failure();
    outcome.kind = CallOutcome::Kind::kGarbled;
    outcome.detail = e.what();
  }
  return outcome;
}

void Worker::shutdown() {
  if (!process_) return;
  sample_rss();
  process_->write_all(protocol::shutdown_request());
  process_->finish(std::chrono::milliseconds(5000));
  process_.reset();
  ready_.reset();
}

WorkerFactory worker_factory(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
                             std::filesystem::path kernel_cache_root) {
  return worker_factory(std::move(command), log, startup_timeout, std::move(kernel_cache_root), nullptr);
}

WorkerFactory worker_factory(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
                             std::filesystem::path kernel_cache_root, std::shared_ptr<const WorkerSetup> setup,
                             WorkerLimits limits) {
  const char* shared = std::getenv("WARPSYNTH_KERNEL_CACHE");
  return [=, &log, next = 0]() mutable {
    auto worker = std::make_unique<Worker>(command, log, startup_timeout);
    std::string cache = shared && *shared ? std::string(shared)
                                          : (kernel_cache_root / ("worker-" + std::to_string(next++))).string();
    worker->set_environment({{"WARPSYNTH_KERNEL_CACHE", cache}});
    worker->set_setup(setup);
    worker->set_limits(limits);
    return worker;
  };
}

}  // namespace warpsynth
