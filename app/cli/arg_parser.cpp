#include "cli/arg_parser.h"

#include <algorithm>
#include <sstream>

namespace qs::cli {

ArgParser::ArgParser(std::string command, std::string synopsis)
    : m_command(std::move(command))
    , m_synopsis(std::move(synopsis)) {}

void ArgParser::addFlag(const std::string& name, const std::string& help) {
    m_options.push_back({name, {}, help, std::nullopt, false});
}

void ArgParser::addOption(const std::string& name, const std::string& valueName,
                          const std::string& help, std::optional<std::string> defaultValue) {
    m_options.push_back({name, valueName, help, std::move(defaultValue), false});
}

void ArgParser::addRepeatedOption(const std::string& name, const std::string& valueName,
                                  const std::string& help) {
    m_options.push_back({name, valueName, help, std::nullopt, true});
}

void ArgParser::addPositional(const std::string& name, const std::string& help, bool required) {
    m_positionals.push_back({name, help, required});
}

const ArgParser::Option* ArgParser::findOption(const std::string& name) const {
    auto it = std::find_if(m_options.begin(), m_options.end(),
                           [&](const Option& o) { return o.name == name; });
    return it == m_options.end() ? nullptr : &*it;
}

bool ArgParser::parse(const std::vector<std::string>& args) {
    std::size_t positionalIndex = 0;
    bool onlyPositionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!onlyPositionals && arg == "--") {
            onlyPositionals = true;
            continue;
        }
        if (!onlyPositionals && (arg == "--help" || arg == "-h")) {
            m_help = true;
            return true;
        }
        if (!onlyPositionals && arg.size() > 2 && arg.rfind("--", 0) == 0) {
            std::string name = arg.substr(2);
            std::optional<std::string> inlineValue;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inlineValue = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            const Option* opt = findOption(name);
            if (!opt) {
                m_error = "unknown option --" + name;
                return false;
            }
            if (opt->valueName.empty()) {
                if (inlineValue) {
                    m_error = "option --" + name + " takes no value";
                    return false;
                }
                m_values[name].push_back("1");
                continue;
            }
            std::string value;
            if (inlineValue) {
                value = *inlineValue;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                m_error = "option --" + name + " needs a value (" + opt->valueName + ")";
                return false;
            }
            auto& slot = m_values[name];
            if (!opt->repeated && !slot.empty()) {
                m_error = "option --" + name + " given more than once";
                return false;
            }
            slot.push_back(value);
            continue;
        }
        if (!onlyPositionals && arg.size() > 1 && arg[0] == '-' && arg != "-") {
            m_error = "unknown option " + arg;
            return false;
        }
        if (positionalIndex >= m_positionals.size()) {
            m_error = "unexpected argument '" + arg + "'";
            return false;
        }
        m_positionalValues[m_positionals[positionalIndex++].name] = arg;
    }
    for (std::size_t p = positionalIndex; p < m_positionals.size(); ++p) {
        if (m_positionals[p].required) {
            m_error = "missing argument " + m_positionals[p].name;
            return false;
        }
    }
    return true;
}

bool ArgParser::isSet(const std::string& name) const {
    return m_values.count(name) != 0;
}

std::string ArgParser::value(const std::string& name) const {
    if (auto it = m_values.find(name); it != m_values.end() && !it->second.empty()) {
        return it->second.back();
    }
    const Option* opt = findOption(name);
    return opt && opt->defaultValue ? *opt->defaultValue : std::string();
}

std::vector<std::string> ArgParser::values(const std::string& name) const {
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::string ArgParser::positional(const std::string& name) const {
    auto it = m_positionalValues.find(name);
    return it == m_positionalValues.end() ? std::string() : it->second;
}

std::string ArgParser::helpText() const {
    std::ostringstream out;
    out << "Usage: quantscope-cli " << m_command;
    if (!m_options.empty()) {
        out << " [options]";
    }
    for (const auto& p : m_positionals) {
        out << (p.required ? " " : " [") << p.name << (p.required ? "" : "]");
    }
    out << "\n\n" << m_synopsis << "\n";
    if (!m_positionals.empty()) {
        out << "\nArguments:\n";
        for (const auto& p : m_positionals) {
            out << "  " << p.name << std::string(p.name.size() < 22 ? 22 - p.name.size() : 1, ' ')
                << p.help << "\n";
        }
    }
    out << "\nOptions:\n";
    for (const auto& o : m_options) {
        std::string left = "--" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
        out << "  " << left << std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') << o.help;
        if (o.defaultValue) {
            out << " (default: " << *o.defaultValue << ")";
        }
        out << "\n";
    }
    out << "  --help                Show this help\n";
    return out.str();
}

} // namespace qs::cli
