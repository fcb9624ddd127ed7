// The built-in entity recognisers (number, money, date, phone, email) behind EntityExtractor.
// Internal to dialog/; each function appends candidates and is thread-safe.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "dialog/entities.h"

namespace parley::dialog::builtin {

void FindEmails(std::string_view s, std::vector<Entity>* out);
void FindPhones(std::string_view s, std::vector<Entity>* out);
void FindMoney(std::string_view s, std::vector<Entity>* out);
void FindDates(std::string_view s, std::chrono::sys_days today, std::vector<Entity>* out);
void FindNumbers(std::string_view s, std::vector<Entity>* out);

}  // namespace parley::dialog::builtin
