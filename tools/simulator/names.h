// Name lists for simulated candidates (common Moroccan given and family
// names, Latin transcription as on identity cards).
#ifndef JIT_TOOLS_SIMULATOR_NAMES_H_
#define JIT_TOOLS_SIMULATOR_NAMES_H_

#include <string>
#include <vector>

namespace jit::simulator {

inline const std::vector<std::string>& FemaleGivenNames() {
  static const auto* const k = new std::vector<std::string>{
      "Salma", "Fatima Zahra", "Khadija", "Meryem", "Imane", "Hajar", "Sara", "Nada", "Oumaima", "Yasmine",
      "Aya", "Houda", "Loubna", "Ghizlane", "Zineb", "Asmae", "Siham", "Kawtar", "Hiba", "Chaimae",
      "Nisrine", "Soukaina", "Ikram", "Najat", "Rim", "Douae", "Wissal", "Amal", "Btissam", "Hanane"};
  return *k;
}

inline const std::vector<std::string>& MaleGivenNames() {
  static const auto* const k = new std::vector<std::string>{
      "Youssef", "Mohamed", "Amine", "Hamza", "Mehdi", "Omar", "Anas", "Ayoub", "Karim", "Othmane",
      "Hicham", "Yassine", "Rachid", "Soufiane", "Ilyas", "Zakaria", "Adil", "Nabil", "Badr", "Ismail",
      "Walid", "Reda", "Tarik", "Mustapha", "Saad", "Abdelilah", "Achraf", "Bilal", "Driss", "Hassan"};
  return *k;
}

inline const std::vector<std::string>& FamilyNames() {
  static const auto* const k = new std::vector<std::string>{
      "El Amrani", "Benali", "Alaoui", "Bennani", "Tazi", "El Idrissi", "Berrada", "Chraibi", "El Fassi",
      "Benjelloun", "Ouazzani", "Lahlou", "Saidi", "El Khattabi", "Zerouali", "Bouzid", "Naciri", "Amrani",
      "El Mansouri", "Haddad", "Kabbaj", "Sqalli", "Lamrani", "Ziani", "Ait Ouahmane", "Ouchen",
      "Bouhaddou", "El Ghazi", "Moussaoui", "Belhaj", "Rahmouni", "Akhnouch", "Fikri", "Jebli", "Tahiri",
      "Benkirane", "El Ouardi", "Mekouar", "Soussi", "Daoudi"};
  return *k;
}

inline const std::vector<std::string>& CompanyWords() {
  static const auto* const k = new std::vector<std::string>{
      "Atlas", "Maghreb", "Sahara", "Oasis", "Argan", "Medina", "Kasbah", "Horizon", "Dune", "Zellige",
      "Rif", "Souss", "Tafilalet", "Anfa", "Bouregreg", "Menara", "Agdal", "Saiss", "Tensift", "Draa"};
  return *k;
}

inline const std::vector<std::string>& Sectors() {
  static const auto* const k = new std::vector<std::string>{
      "it-services", "offshoring", "banking", "telecommunications", "e-commerce", "consulting",
      "public-sector", "health", "industry", "media"};
  return *k;
}

}  // namespace jit::simulator

#endif  // JIT_TOOLS_SIMULATOR_NAMES_H_
