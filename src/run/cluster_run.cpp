#include "run/cluster_run.h"

#include <filesystem>
#include <iostream>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "dataset/shard_files.h"
#include "driver/worker_locator.h"
#include "util/json_reader.h"
#include "util/progress.h"
#include "util/subprocess.h"

namespace fs = std::filesystem;

namespace warpsynth {

std::string ray_address_problem(const std::string& address) {
  if (address == "auto") return "";
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return "'" + address + "' is not auto or HOST:PORT";
  const std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return "'" + address + "': the port is not a number in 1..65535";
  }
  if (address.find_first_of(" /\t") != std::string::npos) return "'" + address + "' is not auto or HOST:PORT";
  return "";
}

std::string ray_address_unreachable(const std::string& address) {
  if (address == "auto") return "";
  const auto colon = address.rfind(':');
  const std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    return "the host of " + address + " is not known";
  }
  bool answered = false;
  for (addrinfo* a = found; a && !answered; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      answered = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t length = sizeof error;
      answered = ::poll(&p, 1, 5000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return answered ? "" : "no Ray cluster answers at " + address;
}

ShardedRunCounts run_on_cluster(const std::string& address, const std::vector<std::string>& task_args,
                                const ShardedOutput& out, Manifest& manifest, const std::string& manifest_path,
                                std::ostream& log, nlohmann::ordered_json& cluster) {
  drop_untrusted_shards(out, manifest, manifest_path, log);
  ShardedRunCounts counts;
  counts.resumed_shards = manifest.shards.size();
  std::vector<ShardRange> shards = plan_shards(out.count, out.shard_size);
  std::string pending;
  std::uint64_t already_done = 0;
  for (const auto& shard : shards) {
    if (manifest.shards.count(shard.id)) {
      already_done += shard.end - shard.begin;
    } else {
      pending += (pending.empty() ? "" : ",") + std::to_string(shard.id);
      counts.processed_now += shard.end - shard.begin;
    }
  }
  cluster = {{"address", address}, {"nodes", 0}, {"tasks", 0}, {"retries", 0}};
  if (pending.empty()) return counts;

  WorkerCommand command = locate_worker();
  SpawnOptions spawn;
  spawn.argv = {command.python, "-u", "-m", "warpsynth_ray.launch", "--address", address, "--binary",
                fs::canonical("/proc/self/exe").string(), "--out", fs::absolute(out.dir).string(), "--shards", pending,
                "--"};
  spawn.argv.insert(spawn.argv.end(), task_args.begin(), task_args.end());
  spawn.env_overrides["PYTHONPATH"] = command.python_path;
  spawn.die_with_parent = true;  // the launcher, and with it the run's tasks, end with the driver
  Subprocess launcher(spawn);
  std::string errors;
  launcher.set_stderr_sink([&](std::string_view line) {
    errors += std::string(line) + "\n";
    if (errors.size() > 20000) errors.erase(0, errors.size() - 20000);
  });
  Progress progress(log, out.count, out.progress);
  std::uint64_t finished = already_done;
  std::string line;
  while (launcher.read_line(line, Subprocess::Clock::now() + std::chrono::hours(24 * 7)) == Subprocess::ReadStatus::kLine) {
    auto message = read_json(line);
    if (!message || !message->is_object()) continue;  // not the launcher's (Ray prints too)
    const std::string event = message->value("event", "");
    if (event == "shard") {
      const int id = (*message)["shard"].get<int>();
      manifest.shards[id] = ShardOutcome::from_json((*message)["outcome"]);
      manifest.save(manifest_path);
      finished += manifest.shards[id].samples;
      progress.update(finished, 0);
    } else if (event == "done") {
      cluster["nodes"] = (*message)["nodes"];
      cluster["tasks"] = (*message)["tasks"];
      cluster["retries"] = (*message)["retries"];
    } else if (event == "error") {
      launcher.finish(std::chrono::seconds(10));
      throw ClusterError(message->value("message", std::string("the Ray launcher failed")));
    }
  }
  launcher.finish(std::chrono::seconds(30));
  const ExitStatus exit = launcher.exit_status();
  if (!exit.success()) {
    throw ClusterError(fmt::format("the Ray launcher ended ({}):\n{}", exit.describe(),
                                   errors.size() > 3000 ? errors.substr(errors.size() - 3000) : errors));
  }
  for (const auto& shard : shards) {
    if (!manifest.shards.count(shard.id)) {
      throw ClusterError(fmt::format("the cluster finished without shard {}", shard.id));
    }
  }
  // No task of this run runs now: a temporary shard left is an attempt killed with its node (its
  // process died before it could remove it), and Ray made that shard again elsewhere.
  remove_stale_temporaries(out.dir);
  progress.finish(finished, 0);
  return counts;
}

ShardedRunCounts run_shards(const ShardRunMode& mode, ShardedOutput out, WorkerPool& pool, BatchJob& job,
                            ResultQueue& results, Manifest& manifest, const std::string& manifest_path,
                            std::ostream& log, nlohmann::ordered_json& cluster) {
  if (!mode.ray_address.empty()) {
    pool.shutdown();  // the local worker gave Warp's version (and the catalog); the cluster does the rest
    return run_on_cluster(mode.ray_address, mode.task_args, out, manifest, manifest_path, log, cluster);
  }
  out.only_shards.insert(mode.task_shards.begin(), mode.task_shards.end());
  ShardedRunCounts counts = run_sharded(out, pool, job, results, manifest, manifest_path, log);
  if (!mode.task_shards.empty()) {
    for (const auto& [id, outcome] : manifest.shards) {
      nlohmann::ordered_json line{{"shard", id}, {"outcome", outcome.to_json()}};
      std::cout << line.dump() << std::endl;
    }
  }
  return counts;
}

}  // namespace warpsynth
