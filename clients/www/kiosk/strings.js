// strings.js — the kiosk's interface in Finnish, Swedish and English: each
// key's text per language, looked up through translator() of
// /assets/i18n.js. The strings the kiosk shares with the form and the
// privacy notice are SURVEY_STRINGS there; the survey's own text comes
// from the server.

export const STRINGS = {
  appName: { fi: 'Palaute', sv: 'Palaute', en: 'Palaute' },
  next: { fi: 'Seuraava', sv: 'Nästa', en: 'Next' },
  skip: { fi: 'Ohita', sv: 'Hoppa över', en: 'Skip' },
  back: { fi: 'Takaisin', sv: 'Tillbaka', en: 'Back' },
  send: { fi: 'Lähetä', sv: 'Skicka', en: 'Send' },
  question: { fi: 'Kysymys {i}/{n}', sv: 'Fråga {i} av {n}', en: 'Question {i} of {n}' },
  thanks: { fi: 'Kiitos palautteestasi!', sv: 'Tack för din respons!', en: 'Thank you for your feedback!' },
  thanksMore: {
    fi: 'Vastauksesi auttaa meitä kehittämään palvelua.',
    sv: 'Ditt svar hjälper oss att utveckla tjänsten.',
    en: 'Your answer helps us improve the service.',
  },
  enrollTitle: { fi: 'Kioskin käyttöönotto', sv: 'Ta kiosken i bruk', en: 'Set up this kiosk' },
  enrollHelp: {
    fi: 'Syötä käyttöönottokoodi, jonka sait hallintanäkymästä. Koodi toimii kerran.',
    sv: 'Ange koden som du fick i administrationsvyn. Koden fungerar en gång.',
    en: 'Enter the enrollment code from the dashboard. The code works once.',
  },
  enrollCode: { fi: 'Käyttöönottokoodi', sv: 'Kod', en: 'Enrollment code' },
  enrollButton: { fi: 'Ota käyttöön', sv: 'Ta i bruk', en: 'Set up' },
  enrollBad: {
    fi: 'Koodi ei kelpaa. Tarkista se ja yritä uudelleen.',
    sv: 'Koden är inte giltig. Kontrollera den och försök igen.',
    en: 'That code is not valid. Check it and try again.',
  },
  enrollGone: {
    fi: 'Koodi on jo käytetty tai vanhentunut. Luo uusi koodi hallintanäkymässä.',
    sv: 'Koden har redan använts eller gått ut. Skapa en ny kod i administrationsvyn.',
    en: 'That code has been used or has expired. Create a new one in the dashboard.',
  },
  enrollWait: {
    fi: 'Liian monta yritystä. Odota {n} sekuntia.',
    sv: 'För många försök. Vänta {n} sekunder.',
    en: 'Too many tries. Wait {n} seconds.',
  },
  offline: {
    fi: 'Ei yhteyttä palvelimeen. Tarkista verkkoyhteys ja yritä uudelleen.',
    sv: 'Ingen kontakt med servern. Kontrollera nätverket och försök igen.',
    en: 'No connection to the server. Check the network and try again.',
  },
  failed: {
    fi: 'Jokin meni vikaan. Yritä hetken kuluttua uudelleen.',
    sv: 'Något gick fel. Försök igen om en stund.',
    en: 'Something went wrong. Try again in a moment.',
  },
  unavailable: {
    fi: 'Palautekysely ei ole juuri nyt käytettävissä.',
    sv: 'Enkäten är inte tillgänglig just nu.',
    en: 'The survey is not available right now.',
  },
  loading: { fi: 'Ladataan…', sv: 'Laddar…', en: 'Loading…' },
  queued: {
    fi: '{n} vastausta odottaa lähetystä',
    sv: '{n} svar väntar på att skickas',
    en: '{n} responses waiting to be sent',
  },
  idleTitle: { fi: 'Oletko vielä siinä?', sv: 'Är du kvar?', en: 'Are you still there?' },
  idleSend: {
    fi: 'Kommenttiasi ei ole vielä lähetetty. Ellet jatka, vastauksesi ja kommenttisi lähetetään {n} sekunnin kuluttua.',
    sv: 'Din kommentar har inte skickats ännu. Om du inte fortsätter skickas dina svar och din kommentar om {n} sekunder.',
    en: 'Your comment has not been sent yet. Unless you go on, your answers and your comment will be sent in {n} seconds.',
  },
  idleDrop: {
    fi: 'Vastaustasi ei ole vielä lähetetty. Ellet jatka, vastauksesi poistetaan {n} sekunnin kuluttua.',
    sv: 'Ditt svar har inte skickats ännu. Om du inte fortsätter raderas ditt svar om {n} sekunder.',
    en: 'Your answer has not been sent yet. Unless you go on, it will be deleted in {n} seconds.',
  },
  continueWriting: { fi: 'Jatka', sv: 'Fortsätt', en: 'Go on' },
  sendNow: { fi: 'Lähetä nyt', sv: 'Skicka nu', en: 'Send now' },
};
