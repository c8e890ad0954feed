// DatabaseError: the database itself failed (not one image). Thrown by every backend of the
// StateStore and ResultsTable; it ends the run, which stays resumable.
#pragma once

#include <stdexcept>
#include <string>

namespace imagemill {

class DatabaseError : public std::runtime_error {
 public:
  enum class Kind {
    kTransient,  // busy, locked, connection lost: the same call may work later
    kFull,       // the disk (or quota) is full: work can resume once there is room
    kPermanent,  // corrupt, unreadable, refused, not imagemill's: a person must act
  };
  DatabaseError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  explicit DatabaseError(const std::string& what) : DatabaseError(Kind::kPermanent, what) {}

  Kind kind() const { return kind_; }
  bool transient() const { return kind_ == Kind::kTransient; }

 private:
  Kind kind_;
};

}  // namespace imagemill
