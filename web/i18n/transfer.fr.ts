// Moving the school to another Sillon instance (school settings, owners only).

export const transferFr = {
  title: 'Exporter l’école',
  description:
    'Une archive de toute l’école : cours, étapes, quiz, sous-titres et documents avec leurs fichiers, classes, membres et leurs comptes (mots de passe chiffrés compris), inscriptions, progression, historique, récompenses et réglages. Un administrateur de la plateforme l’importe dans une autre installation de Sillon, où chacun se connecte avec son mot de passe. Les jetons d’API et les webhooks ne suivent pas. L’export figure au journal d’audit.',
  download: 'Exporter l’école',
}
