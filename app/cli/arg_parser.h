#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qs::cli {

// A small getopt-style parser for one subcommand: `--name value`, `--name=value`, flags,
// and positionals. Unknown options and missing values are usage errors (exit code 2).
class ArgParser {
public:
    ArgParser(std::string command, std::string synopsis);

    void addFlag(const std::string& name, const std::string& help);
    void addOption(const std::string& name, const std::string& valueName, const std::string& help,
                   std::optional<std::string> defaultValue = std::nullopt);
    // Options that may be given several times (e.g. --tensor-type).
    void addRepeatedOption(const std::string& name, const std::string& valueName,
                           const std::string& help);
    void addPositional(const std::string& name, const std::string& help, bool required = true);

    // False on a usage error; error() then says what is wrong.
    bool parse(const std::vector<std::string>& args);
    const std::string& error() const { return m_error; }

    bool helpRequested() const { return m_help; }
    bool isSet(const std::string& name) const;
    std::string value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    std::string positional(const std::string& name) const;

    std::string helpText() const;

private:
    struct Option {
        std::string name;
        std::string valueName; // empty for flags
        std::string help;
        std::optional<std::string> defaultValue;
        bool repeated = false;
    };
    struct Positional {
        std::string name;
        std::string help;
        bool required = true;
    };
    const Option* findOption(const std::string& name) const;

    std::string m_command;
    std::string m_synopsis;
    std::vector<Option> m_options;
    std::vector<Positional> m_positionals;
    std::map<std::string, std::vector<std::string>> m_values;
    std::map<std::string, std::string> m_positionalValues;
    std::string m_error;
    bool m_help = false;
};

} // namespace qs::cli
